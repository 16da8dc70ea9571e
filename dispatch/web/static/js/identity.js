// Checks of the caller's phone and the patient's resident ID number, the same as the server's
// (dispatch/cases/identity.py), so a form says what is wrong before anything is sent. Each
// returns the key of the problem's text (`identity.phone.bad`, …), or null when it is fine.

const PHONE = /^\+?[0-9]+(?:[- ][0-9]+)*$/;
const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

/**
 * A phone number: 3 to 20 digits, an optional leading +, - or spaces between groups.
 * @param {string} value
 * @returns {string | null}
 */
export function phoneProblem(value) {
  const phone = value.trim();
  const digits = phone.replace(/[^0-9]/g, '').length;
  return PHONE.test(phone) && digits >= 3 && digits <= 20 ? null : 'identity.phone.bad';
}

/**
 * The GB 11643 check character of the first 17 digits.
 * @param {string} first17
 * @returns {string}
 */
export function idCheckCharacter(first17) {
  let sum = 0;
  for (let i = 0; i < 17; i += 1) sum += Number(first17[i]) * ID_WEIGHTS[i];
  return ID_CHECK[sum % 11];
}

/**
 * A resident ID number: 17 digits and the right check character (0-9 or X), or 15 digits.
 * @param {string} value
 * @returns {string | null}
 */
export function idNumberProblem(value) {
  const id = value.trim().toUpperCase();
  if (/^[0-9]{15}$/.test(id)) return null;
  if (!/^[0-9]{17}[0-9X]$/.test(id)) return 'identity.id.length';
  return id[17] === idCheckCharacter(id.slice(0, 17)) ? null : 'identity.id.check';
}
