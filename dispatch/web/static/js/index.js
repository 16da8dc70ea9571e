// The list of the four pages (public: no sign-in).

import { startPage } from './core.js';

startPage({
  title: 'index.title',
  signInRequired: false,
  texts: {
    zh: {
      'index.title': '页面导航',
      'index.lead': '县域胸痛与卒中急救网络的四个页面。请用分配给您的账号登录相应页面。',
      'index.field': '现场端（救护车平板 / 乡镇卫生院）',
      'index.field.who': '记录时间节点、上传心电图、查看决策建议、向中心发送预警，离线时自动排队。',
      'index.cathlab': '导管室 / 卒中团队大屏',
      'index.cathlab.who': '接收来院患者预警，确认收到、启动导管室。地址：/cathlab/<机构编号>。',
      'index.console': '120 调度台',
      'index.console.who': '调度员：病例、救护车与路网地图。',
      'index.ecg': '心电诊断中心',
      'index.ecg.who': '县级心电诊断医师：判读乡镇卫生院和救护车上传的心电图，结果即时回传。',
      'index.reports': '质控报表',
      'index.reports.who': '胸痛中心数据管理员：时间节点审核与认证报表。',
    },
    en: {
      'index.title': 'Pages',
      'index.lead': 'The four pages of the county chest-pain and stroke network. Sign in on each with the login you were given.',
      'index.field': 'Field app (ambulance tablet / township unit)',
      'index.field.who': 'Stamp milestones, upload the ECG, see the decision support, send the alert to a centre; queues while offline.',
      'index.cathlab': 'Cath-lab / stroke team wall screen',
      'index.cathlab.who': 'Incoming patients ahead of arrival: acknowledge, activate the cath lab. Address: /cathlab/<facility id>.',
      'index.console': '120 dispatcher console',
      'index.console.who': 'Dispatchers: cases, ambulances and the road map.',
      'index.ecg': 'ECG centre',
      'index.ecg.who': "The county's ECG readers: read the tracings the township units and ambulances send; the reading goes back at once.",
      'index.reports': 'Reports',
      'index.reports.who': 'The chest-pain centre data manager: time audit and accreditation reports.',
    },
  },
});
