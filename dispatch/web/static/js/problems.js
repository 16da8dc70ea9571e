// The server's errors in the user's language. Every problem+json `type` the API can answer
// (`/problems/<slug>`, listed by `problem_types()` in dispatch/http/problems.py) has a message
// here in Chinese and English; tests/unit/test_problem_texts.py fails for a type without both.
// An invalid input (422 `invalid-input`) is shown field by field ("字段：问题"), from pydantic's
// error `code` and its limits (`ctx`); an unknown type gets a generic message with the server's
// title. Pure: no DOM, no imports, the language is an argument (core.js passes the page's).

/** @typedef {'zh' | 'en'} Lang */

/**
 * Problem type → [Chinese, English]. `{name}` placeholders are filled from the problem's own
 * fields (`kind`, `id`, `current`, `requested`, `allowed`, `retry`).
 * @type {Record<string, [string, string]>}
 */
export const PROBLEM_TEXTS = {
  'not-authenticated': ['未登录或登录已失效，请重新登录', 'Not signed in, or the session has ended: sign in again'],
  forbidden: ['当前账号无权执行此操作', 'Your login may not do this'],
  'not-found': ['找不到{kind}{id}', '{kind}{id} not found'],
  'illegal-status-change': ['车辆状态不能从“{current}”改为“{requested}”；可改为：{allowed}', 'The ambulance cannot go from “{current}” to “{requested}”; allowed: {allowed}'],
  conflict: ['与已有数据冲突，未保存', 'This conflicts with existing data; nothing was saved'],
  'too-many-attempts': ['登录失败次数过多，请 {retry} 秒后再试', 'Too many failed sign-ins: try again in {retry} s'],
  'login-busy': ['登录人数过多，请稍后再试', 'Too many sign-ins at once: try again shortly'],
  'weak-password': ['新密码不符合要求（至少 10 个字符，不能是用户名或演示密码）', 'Password refused (at least 10 characters, not the username or a demo password)'],
  'invalid-event': ['此时间点无法记录（机构或更正原因不符）', 'This time stamp cannot be recorded (facility or correction reason)'],
  'invalid-delay-reason': ['只有未达标的时间间隔才能填写延误原因（原因须从列表中选择）', 'Only an interval that missed its target takes a delay reason (one from the list)'],
  'idempotency-key-reused': ['重复提交的内容与首次不同，未保存', 'A retry differs from the first request; nothing was saved'],
  'already-superseded': ['该时间点已被更正，请更正最新的记录', 'This stamp was already corrected: correct the latest one'],
  'dispatch-conflict': ['无法派车：车辆不可用或病例已有车辆', 'Cannot dispatch: the ambulance is not available or the case already has one'],
  'invalid-findings': ['评估数据超出范围', 'Findings out of range'],
  'case-closed': ['病例已结束，不能再修改（需调度员重新打开）', 'The case is closed: a dispatcher must reopen it first'],
  'transfer-first': ['患者尚未转至该机构，请先办理转院', 'The patient has not been transferred there: transfer first'],
  'unknown-crs': ['未知的坐标系（可用 WGS84、GCJ-02、BD-09）', 'Unknown coordinate system (use WGS84, GCJ-02 or BD-09)'],
  'invalid-coordinate': ['坐标无效或不在服务区域内', 'Invalid coordinate, or outside the service area'],
  'invalid-time': ['时间不合理（晚于当前时间太多）', 'Implausible time (too far ahead of now)'],
  'import-rejected': ['导入文件有错误行，未导入任何数据', 'The file has bad rows; nothing was imported'],
  'outside-mapped-area': ['该地点离道路太远，不在地图范围内', 'The place is too far from any road on the map'],
  'no-road-network': ['尚未导入道路网络', 'No road network loaded yet'],
  'alert-rejected': ['预警无法发送（接收医院、路径或附件不符）', 'The alert cannot be sent (receiving centre, pathway or attachment)'],
  'ecg-rejected': ['心电图无法发送或判读（附件须为本人上传；再次判读须写明更正原因）', 'The ECG cannot be sent or read (attach your own file; a second reading needs a reason)'],
  'rota-rejected': ['排班无法保存（结束须晚于开始、每班不超过 24 小时、人员须为心电判读医师）', 'Rota shift refused (it must end after it starts, last at most 24 hours, and be an ECG reader’s)'],
  'rota-overlap': ['该医师在此时段已有排班，班次不能重叠', 'This reader already has a shift in that time: shifts may not overlap'],
  'alert-closed': ['预警已处理或已取消', 'The alert was already answered or cancelled'],
  'attachment-too-large': ['附件过大（最大 10 MB）', 'Attachment too large (at most 10 MB)'],
  'attachment-rejected': ['附件无法识别（仅限 PNG、JPEG、PDF，或 DICOM/aECG 十二导联心电波形）', 'Attachment refused (PNG, JPEG, PDF, or a DICOM/aECG 12-lead ECG waveform only)'],
  'invalid-report': ['报表条件无效（检查日期与路径）', 'Cannot make this report (check the dates and pathway)'],
  'empty-period': ['所选期间没有病例', 'No cases in the period'],
  'invalid-input': ['输入有误', 'Invalid input'],
  'invalid-value': ['数值超出范围或含有无法保存的字符，未保存', 'A value is out of range or cannot be stored; nothing was saved'],
  'database-unavailable': ['数据库暂不可用，未保存，请稍后重试', 'The database is unavailable; nothing was saved: retry shortly'],
  'database-busy': ['系统繁忙，未保存，请稍后重试', 'The server is busy; nothing was saved: retry shortly'],
  'internal-error': ['服务器内部错误，已记录', 'Internal server error (logged)'],
  'method-not-allowed': ['不支持此操作', 'This operation is not supported'],
  'body-too-large': ['提交的内容过大', 'The request is too large'],
  'http-error': ['请求无效', 'Bad request'],
};

/** What a not-found problem's `kind` names. @type {Record<string, [string, string]>} */
const KINDS = {
  case: ['病例', 'Case'],
  facility: ['机构', 'Facility'],
  ambulance: ['救护车', 'Ambulance'],
  alert: ['预警', 'Alert'],
  attachment: ['附件', 'Attachment'],
  user: ['用户', 'User'],
  ecg: ['心电图', 'ECG'],
  'rota shift': ['排班', 'Rota shift'],
};

/** Ambulance statuses (illegal-status-change). @type {Record<string, [string, string]>} */
const STATUSES = {
  available: ['可用', 'available'],
  dispatched: ['已派车', 'dispatched'],
  en_route: ['出车途中', 'en route'],
  on_scene: ['到达现场', 'on scene'],
  transporting: ['转运中', 'transporting'],
  at_destination: ['到达医院', 'at destination'],
  returning: ['返回中', 'returning'],
  out_of_service: ['停用', 'out of service'],
};

/**
 * What is wrong with a field, by pydantic's error type; `{name}` from its `ctx`.
 * @type {Record<string, [string, string]>}
 */
export const FIELD_ERRORS = {
  missing: ['必填', 'required'],
  string_too_long: ['最多 {max_length} 个字符', 'at most {max_length} characters'],
  string_too_short: ['不能为空', 'must not be empty'],
  string_pattern_mismatch: ['格式不正确', 'wrong format'],
  too_long: ['最多 {max_length} 项', 'at most {max_length} items'],
  too_short: ['项数不足', 'too few items'],
  greater_than: ['必须大于 {gt}', 'must be greater than {gt}'],
  greater_than_equal: ['不能小于 {ge}', 'must be at least {ge}'],
  less_than: ['必须小于 {lt}', 'must be less than {lt}'],
  less_than_equal: ['不能大于 {le}', 'must be at most {le}'],
  int_parsing: ['必须是整数', 'must be a whole number'],
  int_type: ['必须是整数', 'must be a whole number'],
  int_from_float: ['必须是整数', 'must be a whole number'],
  float_parsing: ['必须是数字', 'must be a number'],
  float_type: ['必须是数字', 'must be a number'],
  finite_number: ['必须是有限的数字', 'must be a finite number'],
  string_type: ['必须是文字', 'must be text'],
  bool_parsing: ['必须是“是”或“否”', 'must be yes or no'],
  bool_type: ['必须是“是”或“否”', 'must be yes or no'],
  datetime_parsing: ['不是有效的日期时间', 'not a valid date and time'],
  datetime_from_date_parsing: ['不是有效的日期时间', 'not a valid date and time'],
  datetime_type: ['不是有效的日期时间', 'not a valid date and time'],
  date_parsing: ['不是有效的日期', 'not a valid date'],
  date_from_datetime_parsing: ['不是有效的日期', 'not a valid date'],
  timezone_aware: ['时间须带时区', 'the time needs a time zone'],
  literal_error: ['不是允许的值（{expected}）', 'not one of {expected}'],
  enum: ['不是允许的值（{expected}）', 'not one of {expected}'],
  extra_forbidden: ['不允许此字段', 'not an allowed field'],
  json_invalid: ['不是有效的 JSON', 'not valid JSON'],
  model_type: ['格式不正确', 'wrong format'],
  model_attributes_type: ['格式不正确', 'wrong format'],
  dict_type: ['格式不正确', 'wrong format'],
  list_type: ['必须是列表', 'must be a list'],
  value_error: ['值无效', 'invalid value'],
};

/** Field names the pages' forms send. @type {Record<string, [string, string]>} */
const FIELDS = {
  body: ['提交内容', 'request'],
  username: ['用户名', 'username'],
  password: ['密码', 'password'],
  new_password: ['新密码', 'new password'],
  current_password: ['当前密码', 'current password'],
  pathway: ['路径', 'pathway'],
  location: ['位置', 'location'],
  lon: ['经度', 'longitude'],
  lat: ['纬度', 'latitude'],
  crs: ['坐标系', 'coordinate system'],
  complaint: ['主诉', 'complaint'],
  symptom_onset: ['发病时间', 'symptom onset'],
  call_received: ['呼救时间', 'call time'],
  patient: ['患者', 'patient'],
  age: ['年龄', 'age'],
  sex: ['性别', 'sex'],
  case_id: ['病例', 'case'],
  to_facility_id: ['接收医院', 'receiving centre'],
  facility_id: ['机构', 'facility'],
  ambulance_id: ['救护车', 'ambulance'],
  summary: ['摘要', 'summary'],
  vitals: ['生命体征', 'vitals'],
  attachment_ids: ['附件', 'attachments'],
  eta_minutes: ['预计到达（分钟）', 'ETA (minutes)'],
  action: ['操作', 'action'],
  note: ['备注', 'note'],
  reason: ['原因', 'reason'],
  milestone: ['时间节点', 'milestone'],
  at: ['时间', 'time'],
  supersedes: ['更正的记录', 'corrected stamp'],
  status: ['状态', 'status'],
  killip_class: ['Killip 分级', 'Killip class'],
  stroke_scale: ['卒中量表', 'stroke scale'],
  stroke_score: ['卒中评分', 'stroke score'],
  last_known_well_at: ['最后正常时间', 'last known well'],
  from: ['开始日期', 'from'],
  to: ['结束日期', 'to'],
  format: ['格式', 'format'],
  lang: ['语言', 'language'],
  file: ['文件', 'file'],
};

/** Where pydantic says a field was (a query parameter, a header): not shown. */
const WHERE = new Set(['query', 'path', 'header', 'cookie']);
const GENERIC = /** @type {[string, string]} */ (['操作未成功（{title}）', 'The request failed ({title})']);
const FIELD_SEPARATOR = /** @type {[string, string]} */ (['：', ': ']);
const LIST_SEPARATOR = /** @type {[string, string]} */ (['；', '; ']);
const MAX_FIELDS = 5;

/**
 * @param {[string, string]} pair
 * @param {Lang} lang
 */
function pick(pair, lang) {
  return lang === 'en' ? pair[1] : pair[0];
}

/**
 * @param {string} text
 * @param {Record<string, unknown>} vars
 */
function fill(text, vars) {
  return text.replace(/\{(\w+)\}/g, (whole, /** @type {string} */ name) => (vars[name] === undefined ? whole : String(vars[name])));
}

/**
 * The slug of a problem's `type` (`/problems/not-found` → `not-found`), '' without one.
 * @param {any} body
 */
export function problemType(body) {
  const type = body && typeof body.type === 'string' ? body.type : '';
  return type.startsWith('/problems/') ? type.slice('/problems/'.length) : '';
}

/**
 * A field's path (`location.lon`, `vitals.hr`) in the user's language: its known names
 * translated, the rest as sent.
 * @param {string} path
 * @param {Lang} lang
 */
export function fieldName(path, lang) {
  const parts = String(path || 'body').split('.');
  if (parts.length > 1 && WHERE.has(parts[0])) parts.shift(); // query.lang → lang
  const named = parts.map((part) => (FIELDS[part] ? pick(FIELDS[part], lang) : part));
  return named.join(lang === 'en' ? ' › ' : '·');
}

/**
 * One invalid field as "field: what is wrong".
 * @param {{field?: string, code?: string, ctx?: Record<string, unknown>}} error
 * @param {Lang} lang
 */
export function fieldError(error, lang) {
  const known = error.code ? FIELD_ERRORS[error.code] : undefined;
  const ctx = { ...(error.ctx || {}) };
  if (lang === 'zh' && typeof ctx.expected === 'string') { // pydantic's "'a', 'b' or 'c'"
    ctx.expected = ctx.expected.replace(/, | or /g, '、');
  }
  const what = known ? fill(pick(known, lang), ctx) : pick(FIELD_ERRORS.value_error, lang);
  return fieldName(error.field || 'body', lang) + pick(FIELD_SEPARATOR, lang) + what;
}

/**
 * @param {string} value
 * @param {Lang} lang
 */
function statusName(value, lang) {
  return STATUSES[value] ? pick(STATUSES[value], lang) : value;
}

/**
 * The placeholders a problem's message may use, from its own fields.
 * @param {any} body
 * @param {Lang} lang
 * @returns {Record<string, unknown>}
 */
function variables(body, lang) {
  const kind = typeof body.kind === 'string' ? body.kind : '';
  const allowed = Array.isArray(body.allowed) ? body.allowed.map((/** @type {string} */ s) => statusName(s, lang)) : [];
  return {
    kind: KINDS[kind] ? pick(KINDS[kind], lang) : (lang === 'en' ? 'Record' : '记录'),
    id: body.id === undefined || body.id === null ? '' : ` ${body.id}`,
    current: statusName(String(body.current ?? ''), lang),
    requested: statusName(String(body.requested ?? ''), lang),
    allowed: allowed.length ? allowed.join(lang === 'en' ? ', ' : '、') : (lang === 'en' ? 'none' : '无'),
    retry: Number.isFinite(body.retry_after_seconds) ? body.retry_after_seconds : '—',
  };
}

/**
 * A problem+json answer in the user's language: its type's message (invalid input: each field,
 * "field: what is wrong"), or for a type this table does not know a generic message with the
 * server's title.
 * @param {any} body the problem+json document (may be empty)
 * @param {Lang} lang
 * @param {string} [fallbackTitle] the HTTP status text when the body has no title
 * @returns {string}
 */
export function problemMessage(body, lang, fallbackTitle = '') {
  const problem = body && typeof body === 'object' ? body : {};
  const slug = problemType(problem);
  if (slug === 'invalid-input' && Array.isArray(problem.errors) && problem.errors.length) {
    const fields = problem.errors.slice(0, MAX_FIELDS).map((/** @type {any} */ error) => fieldError(error, lang));
    return fields.join(pick(LIST_SEPARATOR, lang));
  }
  const known = PROBLEM_TEXTS[slug];
  if (known) return fill(pick(known, lang), variables(problem, lang));
  return fill(pick(GENERIC, lang), { title: problem.title || fallbackTitle || problem.status || '?' });
}
