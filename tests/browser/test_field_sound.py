"""The field app's alarm (a dispatch, an ECG reading) after a reload (issue 13): where the
browser allows sound only after a gesture, the page shows a yellow "tap to turn on the sound"
until one, and a tap turns it on. Headless Chromium here plays without a gesture, so the page
is given a browser's AudioContext that stays suspended until a resume() from a gesture."""

from __future__ import annotations

from playwright.async_api import expect

from tests.browser.conftest import Pages
from tests.browser.helpers import sign_in

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
