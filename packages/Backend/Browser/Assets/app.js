// The results browser: sign in with a personal access token, pick a project, run SQL or an
// explore's fields, watch the query, page through its rows, export them, reopen earlier queries.
import { Api, describe } from './api.js';
import { Exports } from './exports.js';
import { History } from './history.js';
import { Results } from './results.js';
import { $ } from './dom.js';

const TOKEN_KEY = 'lightdash.token';
const PROJECT_KEY = 'lightdash.project';
const SQL_ROLES = new Set(['developer', 'admin']);

const session = {
  api: null,
  projectUuid: null,
  projects: [],
  mode: 'sql',
  showMessage(text) {
    const message = $('message');
    message.textContent = text;
    message.hidden = !text;
  },
};

const results = new Results(session, (queryUuid, status) => exporter.reset(queryUuid, status === 'ready'));
const exporter = new Exports(session, results);
const history = new History(session, results);

function signOut(reason) {
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(PROJECT_KEY);
  session.api = null;
  results.watching++;
  $('workspace').hidden = true;
  $('session').hidden = true;
  $('sign-in').hidden = false;
  session.showMessage(reason ?? '');
  $('token').focus();
}

async function signIn(token) {
  session.api = new Api(token, () => signOut('Your token was refused (expired, revoked or mistyped). Sign in again.'));
  const me = await session.api.get('/api/v1/user');
  const projects = await session.api.get('/api/v1/projects');
  sessionStorage.setItem(TOKEN_KEY, token);
  session.projects = projects;
  $('who').textContent = me.email;
  const select = $('project');
  select.replaceChildren(...projects.map(p => new Option(`${p.name} (${p.warehouseType})`, p.projectUuid)));
  $('sign-in').hidden = true;
  $('session').hidden = false;
  $('workspace').hidden = false;
  session.showMessage(projects.length ? '' : 'You are not a member of any project yet: ask an admin to add you.');
  if (projects.length) {
    const remembered = projects.find(p => p.projectUuid === sessionStorage.getItem(PROJECT_KEY));
    select.value = (remembered ?? projects[0]).projectUuid;
    await pickProject(select.value);
  }
}

let picked = 0;

async function pickProject(projectUuid) {
  const pick = ++picked;
  session.projectUuid = projectUuid;
  sessionStorage.setItem(PROJECT_KEY, projectUuid);
  const project = session.projects.find(p => p.projectUuid === projectUuid);
  $('role').textContent = `Role: ${project.role}`;
  const canSql = SQL_ROLES.has(project.role);
  $('sql').disabled = !canSql;
  $('mode-sql').disabled = !canSql;
  $('sql-denied').hidden = canSql;
  setMode(canSql ? session.mode : 'explore');
  results.queryUuid = null;
  exporter.reset(null, false);
  await Promise.all([loadExplores(pick), history.load()]);
}

function setMode(mode) {
  session.mode = mode;
  $('mode-sql').setAttribute('aria-pressed', String(mode === 'sql'));
  $('mode-explore').setAttribute('aria-pressed', String(mode === 'explore'));
  $('sql-editor').hidden = mode !== 'sql';
  $('explore-editor').hidden = mode !== 'explore';
}

// Answers for a project picked before the current one are dropped: the last pick wins.
async function loadExplores(pick) {
  const catalog = await session.api.get(`/api/v1/projects/${session.projectUuid}/explores`);
  if (pick !== picked) return;
  $('explore').replaceChildren(...catalog.explores.map(e => new Option(e.label, e.name)));
  await loadFields(pick);
}

async function loadFields(pick = picked) {
  const name = $('explore').value;
  $('dimensions').replaceChildren();
  $('metrics').replaceChildren();
  if (!name) return;
  const explore = await session.api.get(`/api/v1/projects/${session.projectUuid}/explores/${encodeURIComponent(name)}`);
  if (pick !== picked || name !== $('explore').value) return;
  for (const field of explore.fields.filter(f => !f.hidden)) {
    const id = `field-${field.id}`;
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.id = id;
    box.value = field.id;
    const label = document.createElement('label');
    label.htmlFor = id;
    label.append(box, ` ${field.label}`);
    $(field.fieldType === 'metric' ? 'metrics' : 'dimensions').append(label);
  }
}

function checked(containerId) {
  return [...$(containerId).querySelectorAll('input:checked')].map(box => box.value);
}

async function run() {
  if (!session.api || !session.projectUuid) return;
  session.showMessage('');
  const limitText = $('limit').value.trim();
  const limit = limitText ? Number(limitText) : undefined;
  if (limitText && (!Number.isInteger(limit) || limit < 1)) {
    session.showMessage('The row limit must be a whole number of 1 or more.');
    return;
  }

  let request;
  if (session.mode === 'sql') {
    const sql = $('sql').value.trim();
    if (!sql) { session.showMessage('Write the SQL to run first.'); return; }
    request = { sql, limit };
  } else {
    const dimensions = checked('dimensions');
    const metrics = checked('metrics');
    if (!dimensions.length && !metrics.length) { session.showMessage('Pick at least one dimension or metric.'); return; }
    request = { query: { exploreName: $('explore').value, dimensions, metrics, limit } };
  }

  try {
    await results.run(request);
  } catch (error) {
    results.setStatus('');
    session.showMessage(describe(error));
  } finally {
    history.load();
  }
}

$('sign-in-form').addEventListener('submit', async event => {
  event.preventDefault();
  const token = $('token').value.trim();
  $('token').value = '';
  try {
    await signIn(token);
  } catch (error) {
    signOut(describe(error));
  }
});
$('sign-out').addEventListener('click', () => signOut('Signed out.'));
$('project').addEventListener('change', () => pickProject($('project').value).catch(error => session.showMessage(describe(error))));
$('explore').addEventListener('change', () => loadFields().catch(error => session.showMessage(describe(error))));
$('mode-sql').addEventListener('click', () => { if (!$('sql').disabled) setMode('sql'); });
$('mode-explore').addEventListener('click', () => setMode('explore'));
$('run').addEventListener('click', run);
document.addEventListener('keydown', event => {
  if ((event.ctrlKey || event.metaKey) && event.key === 'Enter') {
    event.preventDefault();
    run();
  }
});

const saved = sessionStorage.getItem(TOKEN_KEY);
if (saved) {
  signIn(saved).catch(error => signOut(describe(error)));
} else {
  $('token').focus();
}
