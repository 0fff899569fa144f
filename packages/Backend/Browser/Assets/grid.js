// Renders rows of a page into a table. Every value is set as text (textContent), never as HTML, so a
// cell holding markup shows its characters. Numbers are right-aligned; NULL is shown as such.

/** Column descriptions of a page: its columns when the server sends them, else the first row's keys. */
export function columnsOf(page) {
  if (page.columns) {
    return Object.values(page.columns).map(c => ({ id: c.reference, type: c.type }));
  }

  const first = page.rows?.[0] ?? {};
  return Object.keys(first).map(id => ({ id, type: typeof first[id]?.value?.raw === 'number' ? 'number' : 'string' }));
}

export function renderGrid(table, columns, rows) {
  const head = document.createElement('tr');
  for (const column of columns) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = column.id;
    th.title = `${column.id} (${column.type})`;
    if (column.type === 'number') th.className = 'number';
    head.append(th);
  }

  const body = document.createDocumentFragment();
  for (const row of rows) {
    const tr = document.createElement('tr');
    for (const column of columns) {
      const td = document.createElement('td');
      const value = row[column.id]?.value;
      if (value === undefined || value.raw === null) {
        td.textContent = 'NULL';
        td.className = 'null';
      } else {
        const text = value.formatted ?? String(value.raw);
        td.textContent = text;
        td.title = text;
        if (column.type === 'number') td.className = 'number';
      }

      tr.append(td);
    }

    body.append(tr);
  }

  table.tHead.replaceChildren(head);
  table.tBodies[0].replaceChildren(body);
}

export function clearGrid(table) {
  table.tHead.replaceChildren();
  table.tBodies[0].replaceChildren();
}
