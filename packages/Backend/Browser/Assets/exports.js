// Exports the shown result through an export job: a progress bar while it writes, then a link to the file.
import { describe } from './api.js';
import { $, number } from './dom.js';


export class Exports {
  constructor(session, results) {
    this.session = session;
    this.results = results;
    this.running = 0;
    $('export').addEventListener('click', () => this.start());
  }

  /** Called whenever the shown query or its status changes: a new query clears the last export. */
  reset(queryUuid, ready) {
    if (queryUuid !== this.queryUuid) {
      this.queryUuid = queryUuid;
      this.running++;
      this.busy = false;
      $('export-progress').hidden = true;
      $('export-link').hidden = true;
      $('export-status').textContent = '';
    }

    $('export').disabled = !ready || this.busy;
  }

  async start() {
    const queryUuid = this.results.queryUuid;
    const format = $('export-format').value;
    const run = ++this.running;
    this.busy = true;
    $('export').disabled = true;
    $('export-link').hidden = true;
    const progress = $('export-progress');
    progress.hidden = false;
    progress.value = 0;
    $('export-status').textContent = `Exporting as ${format.toUpperCase()}…`;
    try {
      const { jobId } = await this.session.api.post(`/api/v2/projects/${this.session.projectUuid}/query/${queryUuid}/schedule-download`, { type: format });
      for (;;) {
        const job = await this.session.api.get(`/api/v1/schedulers/job/${jobId}/status`);
        if (run !== this.running) return;
        progress.value = job.totalRows ? job.rowsWritten / job.totalRows : 0;
        if (job.status === 'completed') {
          progress.value = 1;
          const link = $('export-link');
          link.href = job.fileUrl;
          link.textContent = `Download ${job.fileName}`;
          link.hidden = false;
          $('export-status').textContent = `Done: ${number(job.rowCount ?? 0)} rows${job.truncated ? ` (cut at ${job.truncatedAt} rows)` : ''}.`;
          break;
        }

        if (job.status === 'error' || job.status === 'cancelled') {
          $('export-status').textContent = `The export ${job.status === 'error' ? `failed: ${job.error}` : 'was cancelled.'}`;
          break;
        }

        $('export-status').textContent = `Exporting: ${number(job.rowsWritten)} of ${number(job.totalRows)} rows.`;
        await new Promise(resolve => setTimeout(resolve, 300));
      }
    } catch (error) {
      $('export-status').textContent = '';
      this.session.showMessage(describe(error));
    } finally {
      if (run === this.running) {
        this.busy = false;
        $('export').disabled = false;
      }
    }
  }
}
