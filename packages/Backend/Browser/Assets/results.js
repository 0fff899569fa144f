// One query's life in the page: run it, watch it (queued, executing with its first rows, ready or
// failed), page through it, cancel it.
import { describe } from './api.js';
import { clearGrid, columnsOf, renderGrid } from './grid.js';
import { $, number } from './dom.js';

const FINAL = new Set(['ready', 'error', 'cancelled', 'expired']);
const WAITING_FOR = {
  userLimit: 'your other running queries to finish (your limit of queries at once)',
  workersBusy: 'a free worker',
  warehouseLimit: "a free slot on the project's warehouse",
};


function bytes(n) {
  if (n >= 1048576) return `${(n / 1048576).toFixed(1)} MB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} kB`;
  return `${n} bytes`;
}

export class Results {
  constructor(session, onChange) {
    this.session = session;
    this.onChange = onChange;
    this.queryUuid = null;
    this.page = 1;
    this.totalPages = 0;
    this.watching = 0;
    $('first').addEventListener('click', () => this.show(1));
    $('previous').addEventListener('click', () => this.show(this.page - 1));
    $('next').addEventListener('click', () => this.show(this.page + 1));
    $('last').addEventListener('click', () => this.show(this.totalPages));
    $('go').addEventListener('click', () => this.show(Number($('page-number').value)));
    $('page-number').addEventListener('keydown', e => { if (e.key === 'Enter') this.show(Number($('page-number').value)); });
    $('page-size').addEventListener('change', () => this.show(1));
    $('cancel').addEventListener('click', () => this.cancel());
    this.updatePager();
  }

  get pageSize() { return Number($('page-size').value); }

  path(suffix = '') { return `/api/v2/projects/${this.session.projectUuid}/query${suffix}`; }

  /** Submits a query (SQL or an explore's fields) and watches it. */
  async run(request) {
    this.setStatus('Submitting…');
    const submitted = request.sql !== undefined
      ? await this.session.api.post(this.path('/sql'), request)
      : await this.session.api.post(this.path('/metric-query'), request);
    await this.open(submitted.queryUuid);
  }

  /** Shows a query: its rows when ready, else its progress until it ends. */
  async open(queryUuid) {
    this.queryUuid = queryUuid;
    this.page = 1;
    this.totalPages = 0;
    clearGrid($('grid'));
    $('summary').textContent = '';
    this.onChange(queryUuid, null);
    const watch = ++this.watching;
    while (watch === this.watching) {
      const page = await this.session.api.get(`${this.path(`/${queryUuid}`)}?page=1&pageSize=${this.pageSize}`);
      if (watch !== this.watching) return;
      this.describeState(page);
      if (page.status === 'ready') {
        this.render(page);
        break;
      }

      if (page.rows?.length) {
        renderGrid($('grid'), columnsOf(page), page.rows);
        $('summary').textContent = `First ${number(page.rows.length)} rows, while the query runs.`;
      }

      if (FINAL.has(page.status)) break;
      await new Promise(resolve => setTimeout(resolve, 400));
    }
  }

  /** Shows page <n> of the ready query. */
  async show(n) {
    if (!this.queryUuid || !Number.isInteger(n) || n < 1 || (this.totalPages && n > this.totalPages)) {
      this.session.showMessage(`Pick a page from 1 to ${this.totalPages || 1}.`);
      return;
    }

    try {
      const page = await this.session.api.get(`${this.path(`/${this.queryUuid}`)}?page=${n}&pageSize=${this.pageSize}`);
      if (page.status === 'ready') this.render(page);
      else this.describeState(page);
    } catch (error) {
      this.session.showMessage(describe(error));
    }
  }

  async cancel() {
    if (!this.queryUuid) return;
    try {
      await this.session.api.post(this.path(`/${this.queryUuid}/cancel`));
      this.setStatus('Cancelling…');
    } catch (error) {
      this.session.showMessage(describe(error));
    }
  }

  render(page) {
    this.page = page.page;
    this.totalPages = page.totalPageCount;
    renderGrid($('grid'), columnsOf(page), page.rows);
    const first = (page.page - 1) * this.pageSize + 1;
    $('summary').textContent = page.totalResults === 0
      ? 'No rows.'
      : `Rows ${number(first)}–${number(first + page.rows.length - 1)} of ${number(page.totalResults)}.`;
    $('page-number').value = String(page.page);
    this.updatePager();
    this.onChange(this.queryUuid, 'ready');
  }

  describeState(page) {
    const p = page.progress ?? {};
    const status = $('status');
    status.classList.toggle('error', page.status === 'error');
    $('cancel').disabled = FINAL.has(page.status);
    switch (page.status) {
      case 'pending':
      case 'queued':
        this.setStatus(`Queued${p.queuePosition ? `: position ${number(p.queuePosition)}` : ''}${p.waitingFor ? `, waiting for ${WAITING_FOR[p.waitingFor] ?? p.waitingFor}` : ''}.`);
        break;
      case 'executing':
        this.setStatus(`Executing: ${number(p.rowsWritten ?? 0)} rows, ${bytes(p.bytesWritten ?? 0)} written, ${((p.elapsedMs ?? 0) / 1000).toFixed(1)} s.`);
        break;
      case 'ready':
        this.setStatus(`Ready: ${number(page.totalResults)} rows${page.metadata?.performance?.totalExecutionMs != null ? ` in ${number(page.metadata.performance.totalExecutionMs)} ms` : ''}.`);
        break;
      case 'error':
        this.setStatus(`The query failed: ${page.error ?? 'no message'}${page.errorSqlState ? ` (SQLSTATE ${page.errorSqlState})` : ''}`);
        break;
      case 'cancelled':
        this.setStatus('Cancelled.');
        break;
      default:
        this.setStatus(page.error ?? `The query is ${page.status}.`);
    }

    this.onChange(this.queryUuid, page.status);
  }

  setStatus(text) { $('status').textContent = text; }

  updatePager() {
    const ready = this.totalPages > 0;
    $('first').disabled = !ready || this.page <= 1;
    $('previous').disabled = !ready || this.page <= 1;
    $('next').disabled = !ready || this.page >= this.totalPages;
    $('last').disabled = !ready || this.page >= this.totalPages;
    $('go').disabled = !ready;
    $('page-number').max = String(Math.max(1, this.totalPages));
    $('page-count').textContent = ready ? `of ${number(this.totalPages)}` : '';
  }
}
