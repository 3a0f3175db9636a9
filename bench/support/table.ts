/** Plain-text tables for the terminal and Markdown tables for docs/benchmarks.md, from the same rows. */

export interface Table {
  title: string;
  columns: string[];
  rows: string[][];
  /** Lines printed under the table: what was measured and how. */
  notes?: string[];
}

export function renderText(table: Table): string {
  const all = [table.columns, ...table.rows];
  const widths = table.columns.map((_, column) => Math.max(...all.map((row) => (row[column] ?? '').length)));
  const line = (row: string[]) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ');
  return [
    `\n== ${table.title}`,
    line(table.columns),
    widths.map((width) => '-'.repeat(width)).join('  '),
    ...table.rows.map(line),
    ...(table.notes ?? []).map((note) => `   ${note}`),
  ].join('\n');
}

export function renderMarkdown(table: Table): string {
  const escape = (cell: string) => cell.replace(/\|/g, '\\|');
  return [
    `### ${table.title}`,
    '',
    `| ${table.columns.map(escape).join(' | ')} |`,
    `|${table.columns.map((_, column) => (column === 0 ? '---' : '---:')).join('|')}|`,
    ...table.rows.map((row) => `| ${row.map(escape).join(' | ')} |`),
    '',
    ...(table.notes ?? []).map((note) => `- ${note}`),
    ...(table.notes?.length ? [''] : []),
  ].join('\n');
}
