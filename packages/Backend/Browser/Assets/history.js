// The signed-in person's queries in the project, newest first; a ready one reopens in the grid.
import { describe } from './api.js';
import { $, number } from './dom.js';


export class History {
  constructor(session, results) {
    this.session = session;
    this.results = results;
    $('refresh-history').addEventListener('click', () => this.load());
  }

  async load() {
    const body = $('history').tBodies[0];
    try {
      const projectUuid = this.session.projectUuid;
      const page = await this.session.api.get(`/api/v2/projects/${projectUuid}/query/history?pageSize=25`);
      if (projectUuid !== this.session.projectUuid) return;
      const rows = page.data.map(item => this.row(item));
      body.replaceChildren(...rows);
    } catch (error) {
      this.session.showMessage(describe(error));
    }
  }

  row(item) {
    const tr = document.createElement('tr');
    const cell = (text, className) => {
      const td = document.createElement('td');
      td.textContent = text;
      td.title = text;
      if (className) td.className = className;
      tr.append(td);
    };
    cell(new Date(item.createdAt).toLocaleString());
    cell(item.error ? `${item.status}: ${item.error}` : item.status);
    cell(`${item.context} (${item.priority})`);
    cell(item.totalRowCount == null ? '' : number(item.totalRowCount), 'number');
    cell(item.totalExecutionMs == null ? '' : `${number(item.totalExecutionMs)} ms`, 'number');
    cell(item.sql.length > 120 ? `${item.sql.slice(0, 120)}…` : item.sql);
    const open = document.createElement('td');
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = 'Open';
    button.setAttribute('aria-label', `Open the query started ${new Date(item.createdAt).toLocaleString()}`);
    button.disabled = item.status === 'expired';
    button.addEventListener('click', () => this.results.open(item.queryUuid).catch(error => this.session.showMessage(describe(error))));
    open.append(button);
    tr.append(open);
    return tr;
  }
}
