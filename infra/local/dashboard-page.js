// The local dashboard page's script (served by infra/local/dashboard.ts): it asks the local runtime for a
// short-lived ops token, reads `/reports` through the API like any client, and renders tables and uPlot
// charts. Every value is written with textContent: notes and ids are data, never markup.

const UPlot = globalThis.uPlot;
const $ = (id) => document.getElementById(id);

const params = new URLSearchParams(location.search);
const branchId = params.get('branchId') || '';

/** The display rule of each unit; the browser test reads the numbers back with the same rule. */
function format(unit, value) {
  if (value === null || value === undefined) return '—';
  if (unit === 'rate') return `${(value * 100).toFixed(2)} %`;
  if (unit === 'score') return value.toFixed(2);
  return `${value.toFixed(1)} min`;
}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

function setStatus(state, text) {
  $('status').dataset.state = state;
  $('status').textContent = text;
}

async function main() {
  const tokenRes = await fetch('/_local/dashboard/token', { method: 'POST' });
  if (!tokenRes.ok) throw new Error(`no dashboard token (${tokenRes.status})`);
  const { token, today } = await tokenRes.json();
  const day = params.get('day') || today;
  const month = day.slice(0, 7);
  const year = day.slice(0, 4);
  $('day').value = day;
  $('branch').value = branchId;

  const api = async (path) => {
    const res = await fetch(path, { headers: { authorization: `Bearer ${token}` } });
    if (!res.ok) throw new Error(`${path} answered ${res.status}`);
    return res.json();
  };
  const scope = branchId ? `&branchId=${encodeURIComponent(branchId)}` : '';
  const [dayKpis, monthKpis, yearKpis, monthTrend, yearTrend, faults, hq] = await Promise.all([
    api(`/reports/kpis?period=${day}${scope}`),
    api(`/reports/kpis?period=${month}${scope}`),
    api(`/reports/kpis?period=${year}${scope}`),
    api(`/reports/trends?period=${month}${scope}`),
    api(`/reports/trends?period=${year}${scope}`),
    api(`/reports/faults/${month}?limit=10${scope}`),
    api(`/reports/headquarters/daily/${day}`),
  ]);
  const shownBranches = hq.branches.filter((b) => !branchId || b.branchId === branchId);
  const rollups = await Promise.all(
    shownBranches.map((b) => api(`/reports/branches/${encodeURIComponent(b.branchId)}/daily/${day}`)),
  );

  const periods = [
    ['day', dayKpis],
    ['month', monthKpis],
    ['year', yearKpis],
  ];
  $('head-day').textContent = day;
  $('head-month').textContent = month;
  $('head-year').textContent = year;
  renderKpis(periods);
  renderByType(periods);
  renderCounts(periods);
  renderCharts(monthTrend, yearTrend, dayKpis.kpis);
  renderFaults(faults.faults);
  renderBranches(hq.branches);
  renderRollups(rollups);
  setStatus('ready', `${branchId ? `Branch ${branchId}` : 'Whole company'} · ${day}`);
}

function renderKpis(periods) {
  const body = $('kpis').tBodies[0];
  for (const def of periods[0][1].kpis) {
    const row = el(
      'tr',
      { 'data-kpi': def.id },
      el('th', {}, def.title),
      el('td', { class: 'num' }, def.target === null ? '—' : format(def.unit, def.target)),
    );
    for (const [period, report] of periods) {
      const k = report.kpis.find((x) => x.id === def.id);
      const cls = k.meetsTarget === null ? '' : k.meetsTarget ? 'met' : 'missed';
      row.append(
        el(
          'td',
          { class: 'num', 'data-period': period },
          el('span', { class: `value ${cls}` }, format(k.unit, k.value)),
          el('span', { class: 'ratio' }, `${k.numerator} / ${k.denominator}`),
        ),
      );
    }
    body.append(row);
  }
}

function renderByType(periods) {
  const body = $('by-type').tBodies[0];
  for (const type of Object.keys(periods[0][1].responseByRequestType)) {
    const row = el('tr', { 'data-request-type': type }, el('th', {}, type));
    for (const [period, report] of periods) {
      const r = report.responseByRequestType[type];
      row.append(
        el(
          'td',
          { class: 'num', 'data-period': period },
          el('span', { class: 'value' }, format('rate', r.rate)),
          el('span', { class: 'ratio' }, `${r.onTime} / ${r.responded}`),
        ),
      );
    }
    body.append(row);
  }
}

function renderCounts(periods) {
  const body = $('counts').tBodies[0];
  for (const name of Object.keys(periods[0][1].counts)) {
    const row = el('tr', { 'data-count': name }, el('th', {}, name));
    for (const [period, report] of periods)
      row.append(el('td', { class: 'num', 'data-period': period }, report.counts[name]));
    body.append(row);
  }
}

const PALETTE = ['#2563eb', '#16a34a', '#d97706', '#9333ea', '#dc2626', '#0891b2', '#4b5563'];

/** Every day of a month (or month of a year) as a point, `null` where the report has none. */
function axis(trend, period) {
  const byAt = new Map(trend.points.map((p) => [p.at, p]));
  const ats = [];
  if (period.length === 7) {
    const [y, m] = period.split('-').map(Number);
    const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
    for (let d = 1; d <= days; d++) ats.push(`${period}-${String(d).padStart(2, '0')}`);
  } else {
    for (let m = 1; m <= 12; m++) ats.push(`${period}-${String(m).padStart(2, '0')}`);
  }
  const seconds = ats.map((at) => {
    const [y, m, d] = at.split('-').map(Number);
    return Date.UTC(y, m - 1, d || 1) / 1000;
  });
  return { ats, seconds, point: (at) => byAt.get(at) };
}

function chart(title, id, x, series, unit) {
  const box = el('div', { class: 'chart', id }, el('h3', {}, title));
  $('charts').append(box);
  const width = Math.max(320, Math.min(560, box.clientWidth || 560));
  const fmt = (v) => (v === null || v === undefined ? '—' : unit === 'rate' ? `${v.toFixed(1)} %` : `${v}`);
  return new UPlot(
    {
      width,
      height: 240,
      scales: { x: { time: true }, y: unit === 'rate' ? { range: [0, 100] } : { auto: true } },
      series: [
        {},
        ...series.map((s, i) => ({
          label: s.label,
          stroke: PALETTE[i % PALETTE.length],
          width: 2,
          spanGaps: true,
          points: { show: true, size: 6 },
          value: (_u, v) => fmt(v),
        })),
      ],
      axes: [{}, { values: (_u, ticks) => ticks.map((t) => (unit === 'rate' ? `${t} %` : `${t}`)) }],
    },
    [x, ...series.map((s) => s.values)],
    box,
  );
}

function renderCharts(monthTrend, yearTrend, kpis) {
  const rates = kpis.filter((k) => k.unit === 'rate');
  for (const [trend, label] of [
    [monthTrend, `days of ${monthTrend.period}`],
    [yearTrend, `months of ${yearTrend.period}`],
  ]) {
    const a = axis(trend, trend.period);
    const value = (at, key, scale) => {
      const v = a.point(at)?.[key];
      return v === null || v === undefined ? null : v * scale;
    };
    chart(
      `KPI rates, ${label}`,
      `chart-rates-${trend.period.length === 7 ? 'month' : 'year'}`,
      a.seconds,
      rates.map((k) => ({ label: k.title, values: a.ats.map((at) => value(at, k.id, 100)) })),
      'rate',
    );
    chart(
      `Cases opened and completed, ${label}`,
      `chart-volume-${trend.period.length === 7 ? 'month' : 'year'}`,
      a.seconds,
      [
        { label: 'Opened', values: a.ats.map((at) => value(at, 'opened', 1) ?? 0) },
        { label: 'Completed', values: a.ats.map((at) => value(at, 'completed', 1) ?? 0) },
      ],
      'count',
    );
  }
}

function renderFaults(faults) {
  const body = $('faults').tBodies[0];
  if (!faults.length) body.append(el('tr', {}, el('td', { colspan: 2 }, 'No completed cases this month.')));
  for (const f of faults)
    body.append(
      el('tr', { 'data-fault': f.fault }, el('td', {}, f.fault), el('td', { class: 'num' }, f.cases)),
    );
}

function renderBranches(branches) {
  const body = $('branches').tBodies[0];
  if (!branches.length) body.append(el('tr', {}, el('td', { colspan: 7 }, 'No activity on this day.')));
  for (const b of branches) {
    const k = Object.fromEntries(b.kpis.map((x) => [x.id, x]));
    body.append(
      el(
        'tr',
        { 'data-branch': b.branchId },
        el('th', {}, b.branchId),
        el('td', { class: 'num' }, b.counts.opened),
        el('td', { class: 'num' }, b.counts.completed),
        el('td', { class: 'num' }, b.counts.visits),
        el('td', { class: 'num' }, b.counts.minutes),
        el('td', { class: 'num' }, format('rate', k.responseOnTime.value)),
        el('td', { class: 'num' }, format('rate', k.firstTimeFix.value)),
      ),
    );
  }
}

function renderRollups(rollups) {
  const box = $('rollups');
  if (!rollups.length) box.append(el('p', {}, 'No daily reports on this day.'));
  for (const r of rollups) {
    const table = el(
      'table',
      { 'data-rollup': r.branchId },
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          ...['Technician', 'Jobs', 'A', 'B', 'C', 'D', 'Minutes', 'Visits', 'Parts', 'Note'].map((h, i) =>
            el('th', i > 0 && i < 9 ? { class: 'num' } : {}, h),
          ),
        ),
      ),
    );
    const body = el('tbody');
    for (const t of r.technicians)
      body.append(
        el(
          'tr',
          { 'data-technician': t.technicianId },
          el('th', {}, t.technicianId),
          el('td', { class: 'num', 'data-field': 'jobs' }, t.jobs),
          ...['A', 'B', 'C', 'D'].map((c) =>
            el('td', { class: 'num', 'data-field': c }, t.jobsByCategory[c]),
          ),
          el('td', { class: 'num', 'data-field': 'minutes' }, t.minutes),
          el('td', { class: 'num', 'data-field': 'visits' }, t.visits),
          el('td', { class: 'num', 'data-field': 'partsUsed' }, t.partsUsed),
          el('td', { 'data-field': 'note' }, t.note ?? ''),
        ),
      );
    table.append(body);
    box.append(el('h3', {}, `Branch ${r.branchId} — ${r.day}`), table);
  }
}

main().catch((err) => {
  setStatus('error', `The reports could not be read: ${err.message}`);
});
