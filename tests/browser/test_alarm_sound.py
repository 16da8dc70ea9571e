"""The alarm after a reload (issue 13): where the browser allows sound only after a gesture, the
crew's tablet (a dispatch, an ECG reading) and the wall screen (an alert) show a yellow "tap to
turn on the sound" until one, and a tap turns it on. Headless Chromium here plays without a
gesture, so the page is given a browser's AudioContext that stays suspended until a resume()
from a gesture."""

from __future__ import annotations

import httpx
from playwright.async_api import expect

from tests.browser.conftest import Pages
from tests.browser.helpers import CATHLAB, TOWNSHIP, open_case, send_alert, sign_in, token
from tests.browser.wall_helpers import WALL, beeps, clear_board

# An AudioContext as a browser with an autoplay policy makes it: suspended until resumed.
SUSPENDED_AUDIO = """
class PolicyAudioContext {
  constructor() { this.state = 'suspended'; this.currentTime = 0; this.destination = {}; }
  resume() { this.state = 'running'; return Promise.resolve(); }
  createOscillator() { return { connect: (g) => g, start() {}, stop() {}, frequency: {} }; }
  createGain() {
    const gain = { setValueAtTime() {}, exponentialRampToValueAtTime() {} };
    return { gain, connect: (d) => d };
  }
}
window.AudioContext = PolicyAudioContext;
"""


async def test_the_crew_tablet_asks_for_a_tap_to_sound_its_alarm(pages: Pages) -> None:
    page = await pages.new("/field")
    await page.context.add_init_script(SUSPENDED_AUDIO)
    await sign_in(page, "crew-amb-02")
    await page.reload()  # reloaded with its session, and no gesture since
    await expect(page.locator("#who")).to_have_attribute("data-username", "crew-amb-02")
    banner = page.locator("#sound-enable")
    await expect(banner).to_be_visible()
    await expect(banner).to_contain_text("开启提示音")
    await banner.click()
    await expect(banner).to_be_hidden()


async def test_the_wall_asks_for_a_tap_and_then_rings_for_the_unanswered_alert(
    pages: Pages, http: httpx.AsyncClient
) -> None:
    """A wall reloaded with an alert unanswered: no beep and a yellow "click to enable" while
    sound waits for a gesture; after the tap the banner goes and the alarm rings."""
    await clear_board(http, CATHLAB)
    wall = await pages.new(f"/cathlab/{CATHLAB}", **WALL)
    await wall.context.add_init_script(SUSPENDED_AUDIO)
    await sign_in(wall, f"cathlab-{CATHLAB}")
    township = await token(http, f"township-{TOWNSHIP}")
    case_id = await open_case(http, township, "声音测试")
    alert = await send_alert(http, township, case_id, "无人应答")
    await wall.reload()  # a kiosk's nightly reload: its session kept, no gesture since
    await expect(wall.locator("#who")).to_have_attribute("data-username", f"cathlab-{CATHLAB}")
    await expect(wall.locator(f".alert-card[data-alert-id='{alert['id']}']")).to_be_visible()
    banner = wall.locator("#sound-enable")
    await expect(banner).to_be_visible()
    await expect(banner).to_have_text("点击启用提示音")
    assert 0 == await beeps(wall)  # the schedule rang, the browser played nothing
    await banner.click()
    await expect(banner).to_be_hidden()
    await wall.wait_for_function("() => (window.__alarmBeeps || 0) >= 3")  # the next ring
