// The coordinator's dashboard: reads /api/ (computed by the ledger, as the command line does)
// and draws it. Nothing here computes a figure; it formats, sorts and charts what it is given.
'use strict';

const STATUS_SV = {
  'open': 'öppen', 'due soon': 'förfaller snart', 'overdue': 'förfallen',
  'settled': 'reglerad', 'rejected': 'avslag', 'in period': 'pågår',
};

// Öre as Swedish kronor, as the command line writes them (ledger/money.h FormatKronor):
// "147 463 000 kr", "12 345,50 kr", "-3 000 kr".
function kr(ore) {
  const negative = ore < 0;
  const magnitude = Math.abs(ore);
  const kronor = Math.floor(magnitude / 100);
  const rest = magnitude % 100;
  let text = String(kronor).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
  if (rest !== 0) text += ',' + String(rest).padStart(2, '0');
  return (negative ? '-' : '') + text + ' kr';
}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null) continue;
    if (name === 'class') node.className = value;
    else node.setAttribute(name, value);
  }
  for (const child of children) {
    if (child === undefined || child === null) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function amountCell(ore, field, extraClass) {
  return el('td', {class: 'num' + (extraClass ? ' ' + extraClass : ''), 'data-field': field,
                   'data-ore': String(ore)}, kr(ore));
}

const params = new URLSearchParams(window.location.search);

// The as-of point and filters of this page, as query parameters for the API.
function pointQuery(extra) {
  const q = new URLSearchParams();
  for (const name of ['as_of', 'recorded_as_of']) {
    if (params.get(name)) q.set(name, params.get(name));
  }
  for (const [name, value] of Object.entries(extra || {})) {
    if (value) q.set(name, value);
  }
  return q.toString();
}

// The API prints protobuf messages with the proto3 JSON mapping, which writes int64 and uint64
// as strings ("14746300000"); these fields (öre, sequences, day counts) are read back as
// numbers. Öre stay far below 2^53, where a JavaScript number is exact.
const INT64_FIELD = /(_ore|_ore_per_day|_sequence)$|^(days_left|days_elapsed|days_in_period|version|total|next_from)$/;
function readInt64(key, value) {
  return typeof value === 'string' && INT64_FIELD.test(key) && /^-?\d+$/.test(value)
      ? Number(value) : value;
}

async function getJson(path) {
  const response = await fetch(path, {headers: {'Accept': 'application/json'}});
  const body = JSON.parse(await response.text(), readInt64);
  if (!response.ok) throw new Error(body.message || response.statusText);
  return body;
}

function showError(error) {
  const p = document.getElementById('error');
  p.hidden = false;
  p.textContent = 'Fel: ' + error.message;
}

function describePoint(point) {
  const recorded = point.as_of_sequence
      ? 'som registrerat till och med sekvens ' + point.as_of_sequence
      : 'allt registrerat (huvud: sekvens ' + point.head_sequence + ')';
  document.getElementById('point').textContent =
      'Per ' + point.as_of_date + ', ' + recorded + '.';
  document.getElementById('as_of').value = point.as_of_date;
}

function fillForm() {
  for (const name of ['as_of', 'recorded_as_of', 'id']) {
    const input = document.getElementById(name);
    if (input && params.get(name)) input.value = params.get(name);
  }
}

function linkDownloads(extra) {
  for (const a of document.querySelectorAll('#downloads a[data-report]')) {
    const q = pointQuery(extra);
    a.href = '/download/' + a.dataset.report + (q ? '?' + q : '');
  }
}

// The command line's status word: a rejected grant, a grant still in its usage period, or the
// obligation's status.
function statusWord(o) {
  if (o.rejected) return 'rejected';
  if (!o.period_ended) return 'in period';
  return o.status;
}

function statusCell(o) {
  const word = statusWord(o);
  return el('td', {class: 'status-' + word.replace(/ /g, '-'), 'data-field': 'status',
                   'data-status': word}, STATUS_SV[word] || word);
}

// ---- Overview ----

function sortRows(rows, key, ascending) {
  const value = (o) => key === 'warnings' ? o.warnings.length : o[key];
  rows.sort((a, b) => {
    const x = value(a), y = value(b);
    const order = typeof x === 'number' ? x - y : String(x).localeCompare(String(y), 'sv');
    return ascending ? order : -order;
  });
}

function renderGrantRows(rows) {
  const body = document.querySelector('#grants tbody');
  body.replaceChildren();
  for (const o of rows) {
    const link = el('a', {href: '/grant?' + pointQuery({id: o.grant_id})}, o.grant_id);
    const warnings = el('td', {'data-field': 'warnings'});
    for (const w of o.warnings) warnings.append(el('span', {class: 'warning'}, w));
    const days = o.outstanding_ore === 0 || statusWord(o) === 'settled' ? '' : String(o.days_left);
    body.append(el('tr', {'data-grant': o.grant_id},
        el('td', {'data-field': 'grant_id'}, link),
        el('td', {'data-field': 'title'}, o.title),
        el('td', {'data-field': 'grantor'}, o.grantor),
        el('td', {'data-field': 'year'}, o.year),
        amountCell(o.decided_ore, 'decided_ore'),
        amountCell(o.received_ore, 'received_ore'),
        amountCell(o.eligible_spent_ore, 'eligible_spent_ore'),
        amountCell(o.unused_ore, 'unused_ore'),
        amountCell(o.outstanding_ore, 'outstanding_ore'),
        el('td', {'data-field': 'repayment_deadline'}, o.repayment_deadline),
        el('td', {class: 'num', 'data-field': 'days_left', 'data-days': String(o.days_left)}, days),
        statusCell(o),
        warnings));
  }
}

function totalsRow(cells, t) {
  return el('tr', {},
      ...cells,
      el('td', {class: 'num'}, t.grants),
      amountCell(t.decided_ore, 'decided_ore'),
      amountCell(t.received_ore, 'received_ore'),
      amountCell(t.eligible_spent_ore, 'eligible_spent_ore'),
      amountCell(t.unused_ore, 'unused_ore'),
      amountCell(t.outstanding_ore, 'outstanding_ore'));
}

async function overviewPage() {
  fillForm();
  const data = await getJson('/api/overview?' +
      pointQuery({year: params.get('year'), grantor: params.get('grantor')}));
  describePoint(data.point);
  for (const [id, values] of [['year', data.years], ['grantor', data.grantors]]) {
    const select = document.getElementById(id);
    for (const v of values) select.append(el('option', {value: v}, v));
    select.value = params.get(id) || '';
  }
  const rows = data.grants.map((g) => ({...g.obligation, warnings: g.warnings}));
  renderGrantRows(rows);
  for (const th of document.querySelectorAll('#grants th[data-key]')) {
    th.addEventListener('click', () => {
      const ascending = !th.classList.contains('sorted-asc');
      for (const other of document.querySelectorAll('#grants th')) {
        other.classList.remove('sorted-asc', 'sorted-desc');
      }
      th.classList.add(ascending ? 'sorted-asc' : 'sorted-desc');
      sortRows(rows, th.dataset.key, ascending);
      renderGrantRows(rows);
    });
  }
  const body = document.querySelector('#per-grantor tbody');
  for (const g of data.per_grantor) {
    body.append(totalsRow([el('td', {'data-grantor': g.grantor}, g.grantor)], g.totals));
  }
  document.querySelector('#per-grantor tfoot').append(totalsRow([el('td', {}, 'Summa')], data.totals));
  linkDownloads({});
}

// ---- One grant ----

function card(label, text, field, ore) {
  return el('div', {class: 'card'}, el('div', {class: 'label'}, label),
            el('div', {class: 'value', 'data-field': field,
                       'data-ore': ore === undefined ? undefined : String(ore)}, text));
}

function dayNumber(isoDate) { return Date.parse(isoDate + 'T00:00:00Z') / 86400000; }
function dayText(n) { return new Date(n * 86400000).toISOString().slice(0, 10); }

function drawBurndown(b) {
  const canvas = document.getElementById('burndown');
  if (typeof Chart === 'undefined') throw new Error('Chart.js saknas (/static/chart.min.js)');
  const points = b.points.map((p) => ({x: dayNumber(p.date), ...p}));
  const series = (field) => points.map((p) => ({x: p.x, y: p[field] / 100}));
  let top = b.decided_ore;
  for (const p of b.points) top = Math.max(top, p.received_ore, p.allocated_ore, p.eligible_spent_ore);
  if (b.forecast) top = Math.max(top, b.forecast.eligible_spent_ore);
  const vertical = (date) => [{x: dayNumber(date), y: 0}, {x: dayNumber(date), y: top / 100}];
  const datasets = [
    {label: 'Förbrukat (stödberättigat), ackumulerat', data: series('eligible_spent_ore'),
     borderColor: '#c0392b', backgroundColor: '#c0392b', borderWidth: 3, pointRadius: 0},
    {label: 'Erhållet', data: series('received_ore'), borderColor: '#1f77b4',
     backgroundColor: '#1f77b4', stepped: true, borderWidth: 2, pointRadius: 0},
    {label: 'Fördelat', data: series('allocated_ore'), borderColor: '#2ca02c',
     backgroundColor: '#2ca02c', stepped: true, borderWidth: 2, pointRadius: 0},
    {label: 'Nyttjandeperiodens slut ' + b.usage_period_end, data: vertical(b.usage_period_end),
     borderColor: '#555', backgroundColor: '#555', borderDash: [4, 4], pointRadius: 0},
    {label: 'Återbetalas senast ' + b.repayment_deadline, data: vertical(b.repayment_deadline),
     borderColor: '#8e44ad', backgroundColor: '#8e44ad', borderDash: [2, 3], pointRadius: 0},
  ];
  if (b.forecast && points.length) {
    const last = points[points.length - 1];
    datasets.push({label: 'Prognos (rak linje) till periodens slut',
      data: [{x: last.x, y: last.eligible_spent_ore / 100},
             {x: dayNumber(b.forecast.date), y: b.forecast.eligible_spent_ore / 100}],
      borderColor: '#e67e22', backgroundColor: '#e67e22', borderDash: [8, 5], pointRadius: 0});
  }
  new Chart(canvas, {
    type: 'line',
    data: {datasets},
    options: {
      animation: false, responsive: false, parsing: true,
      plugins: {legend: {position: 'bottom'},
                tooltip: {callbacks: {
                  title: (items) => items.length ? dayText(items[0].parsed.x) : '',
                  label: (item) => item.dataset.label + ': ' + kr(Math.round(item.parsed.y * 100))}}},
      scales: {
        x: {type: 'linear', min: dayNumber(b.usage_period_start),
            max: Math.max(dayNumber(b.repayment_deadline), dayNumber(b.usage_period_end)) + 7,
            ticks: {callback: (v) => dayText(v), maxTicksLimit: 10}},
        y: {beginAtZero: true, ticks: {callback: (v) => kr(Math.round(v * 100))}},
      },
    },
  });
}

function kvRow(label, text, field, ore) {
  return el('tr', {}, el('th', {}, label),
            el('td', {class: ore === undefined ? '' : 'num', 'data-field': field,
                      'data-ore': ore === undefined ? undefined : String(ore)}, text));
}

async function grantPage() {
  fillForm();
  const id = params.get('id');
  if (!id) throw new Error('ange bidragets diarienummer: /grant?id=RS/229/2025');
  document.getElementById('back').href = '/?' + pointQuery({});
  const data = await getJson('/api/grant?' + pointQuery({id}));
  describePoint(data.point);
  const t = data.grant.grant.terms, g = data.grant.grant.balance;
  const o = data.obligation, a = data.account;
  document.title = id + ' – ' + t.title;
  document.getElementById('title').textContent = id + ' ' + t.title;
  document.getElementById('terms').textContent =
      t.grantor + ' · nyttjandeperiod ' + t.usage_period_start + ' – ' + t.usage_period_end +
      ' · återbetalas senast ' + t.repayment_deadline + ' · redovisas senast ' +
      t.reporting_deadline + (t.cost_object ? ' · objekt ' + t.cost_object : '');
  const warnings = document.getElementById('warnings');
  for (const w of data.warnings) warnings.append(el('li', {}, w));
  document.getElementById('summary').append(
      card('Beslutat', kr(o.decided_ore), 'decided_ore', o.decided_ore),
      card('Erhållet', kr(o.received_ore), 'received_ore', o.received_ore),
      card('Fördelat', kr(g.allocated_ore), 'allocated_ore', g.allocated_ore),
      card('Förbrukat (stödberättigat)', kr(o.eligible_spent_ore), 'eligible_spent_ore',
           o.eligible_spent_ore),
      card('Oanvänt', kr(o.unused_ore), 'unused_ore', o.unused_ore),
      card('Att återbetala', kr(o.outstanding_ore), 'outstanding_ore', o.outstanding_ore),
      card('Återbetalas senast', o.repayment_deadline, 'repayment_deadline'),
      card('Dagar kvar', String(o.days_left), 'days_left'),
      card('Status', STATUS_SV[statusWord(o)] || statusWord(o), 'status'));

  const activities = document.querySelector('#activities tbody');
  for (const line of g.activities) {
    const over = line.overspent_ore > 0;
    activities.append(el('tr', {class: over ? 'overspent' : '',
                                'data-line': line.activity + ' ' + line.division},
        el('td', {}, line.activity), el('td', {}, line.division),
        amountCell(line.allocated_ore, 'allocated_ore'), amountCell(line.spent_ore, 'spent_ore'),
        amountCell(line.remaining_ore, 'remaining_ore'),
        amountCell(line.overspent_ore, 'overspent_ore', over ? 'overspent' : '')));
  }
  const divisions = document.querySelector('#divisions tbody');
  for (const d of g.divisions) {
    const over = d.overspent_ore > 0;
    divisions.append(el('tr', {class: over ? 'overspent' : '', 'data-division': d.division},
        el('td', {}, d.division), amountCell(d.allocated_ore, 'allocated_ore'),
        amountCell(d.spent_ore, 'spent_ore'), amountCell(d.remaining_ore, 'remaining_ore'),
        amountCell(d.overspent_ore, 'overspent_ore', over ? 'overspent' : '')));
  }
  const ob = document.querySelector('#obligation tbody');
  ob.append(
      kvRow('Erhållet (inkl. överfört hit)', kr(o.received_ore), 'received_ore', o.received_ore),
      kvRow('Överfört till senare bidrag', kr(o.carried_out_ore), 'carried_out_ore', o.carried_out_ore),
      kvRow('Bidragsgrundande kostnader', kr(o.eligible_spent_ore), 'eligible_spent_ore', o.eligible_spent_ore),
      kvRow('Kostnader utanför perioden', kr(o.ineligible_spent_ore), 'ineligible_spent_ore', o.ineligible_spent_ore),
      kvRow('Oanvänt', kr(o.unused_ore), 'unused_ore', o.unused_ore),
      kvRow('Återbetalningsskyldigt genom villkor', kr(o.condition_repayable_ore),
            'condition_repayable_ore', o.condition_repayable_ore),
      kvRow('Återbetalningsskyldigt', kr(o.repayable_ore), 'repayable_ore', o.repayable_ore),
      kvRow('Återbetalt', kr(o.repaid_ore), 'repaid_ore', o.repaid_ore),
      kvRow('Kvar att återbetala', kr(o.outstanding_ore), 'outstanding_ore', o.outstanding_ore),
      kvRow('Återbetalas senast', o.repayment_deadline + ' (' + o.days_left + ' dagar kvar)',
            'repayment_deadline'),
      kvRow('Förbrukning per dag', kr(o.burn_rate_ore_per_day), 'burn_rate_ore_per_day',
            o.burn_rate_ore_per_day),
      kvRow('Prognos oanvänt vid periodens slut', kr(o.forecast_unused_at_end_ore),
            'forecast_unused_at_end_ore', o.forecast_unused_at_end_ore));
  const account = document.querySelector('#account tbody');
  for (const line of a.lines) {
    account.append(el('tr', {}, el('td', {}, line.purpose), el('td', {}, line.cost_group),
                      amountCell(line.spent_ore, 'amount_ore')));
  }
  document.querySelector('#account tfoot').append(
      el('tr', {}, el('td', {colspan: '2'}, 'Disponibelt'), amountCell(a.disposable_ore, 'disposable_ore')),
      el('tr', {}, el('td', {colspan: '2'}, 'Använt'), amountCell(a.used_ore, 'used_ore')),
      el('tr', {}, el('td', {colspan: '2'}, 'Kvar'), amountCell(a.remaining_ore, 'remaining_ore')));
  linkDownloads({id});

  drawBurndown(await getJson('/api/burndown?' + pointQuery({id})));
  try {
    const history = await getJson('/api/history?' + pointQuery({id}));
    renderHistory(history);
  } catch (error) {
    document.getElementById('history-note').textContent = 'Historiken kan inte visas: ' + error.message;
  }
}

function renderHistory(h) {
  const head = document.querySelector('#history thead');
  if (!head.firstChild) head.append(el('tr', {}, ...h.columns.map((c) => el('th', {}, c))));
  const body = document.querySelector('#history tbody');
  for (const {cells: row} of h.rows) {
    const cells = row.map((text, i) => {
      if (i === row.length - 1) {
        return el('td', {title: text}, el('code', {class: 'hash'}, text.slice(0, 16) + '…'));
      }
      return el('td', {class: i === 5 ? 'num' : ''}, text);
    });
    body.append(el('tr', {'data-sequence': row[0]}, ...cells));
  }
  const note = document.getElementById('history-note');
  note.replaceChildren(body.children.length + ' av ' + h.total + ' händelser, i loggens ordning.');
  if (h.next_from) {
    const more = el('button', {type: 'button'}, 'Visa fler');
    more.addEventListener('click', () => {
      getJson('/api/history?' + pointQuery({id: h.grant_id, from: String(h.next_from)}))
          .then(renderHistory).catch(showError);
    });
    note.append(' ', more);
  }
}

document.addEventListener('DOMContentLoaded', () => {
  const page = document.body.dataset.page === 'grant' ? grantPage : overviewPage;
  page().then(() => { document.body.dataset.ready = 'yes'; })
        .catch((error) => { showError(error); document.body.dataset.ready = 'error'; });
});
