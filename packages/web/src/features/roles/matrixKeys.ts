/**
 * Arrow keys move between the matrix's checkboxes like a spreadsheet's cells: up and down along a
 * role's column (over group headings and collapsed groups), left and right along a permission's row.
 * A cell whose checkbox is disabled (a built-in role's fixed grant) is passed over. Home and End go
 * to the row's first and last cell.
 */
export function moveInMatrix(event: KeyboardEvent | React.KeyboardEvent<HTMLElement>): void {
  const target = event.target as HTMLElement;
  const cell = target.closest('td.custos-matrix-cell');
  const row = cell?.parentElement;
  const body = row?.parentElement;
  if (!cell || !row || !body) return;
  const rows = [...body.querySelectorAll<HTMLTableRowElement>('tr:has(td.custos-matrix-cell)')];
  const cellsOf = (r: Element) => [...r.querySelectorAll<HTMLElement>('td.custos-matrix-cell')];
  const rowIndex = rows.indexOf(row as HTMLTableRowElement);
  const column = cellsOf(row).indexOf(cell as HTMLElement);
  const focusable = (c: Element | undefined) =>
    c?.querySelector<HTMLInputElement>('input:not([disabled])') ?? null;

  let next: HTMLInputElement | null = null;
  switch (event.key) {
    case 'ArrowDown':
      for (let r = rowIndex + 1; r < rows.length && !next; r++)
        next = focusable(cellsOf(rows[r] as Element)[column]);
      break;
    case 'ArrowUp':
      for (let r = rowIndex - 1; r >= 0 && !next; r--) next = focusable(cellsOf(rows[r] as Element)[column]);
      break;
    case 'ArrowRight': {
      const cells = cellsOf(row);
      for (let c = column + 1; c < cells.length && !next; c++) next = focusable(cells[c]);
      break;
    }
    case 'ArrowLeft': {
      const cells = cellsOf(row);
      for (let c = column - 1; c >= 0 && !next; c--) next = focusable(cells[c]);
      break;
    }
    case 'Home':
      next = cellsOf(row).map(focusable).find(Boolean) ?? null;
      break;
    case 'End':
      next = cellsOf(row).map(focusable).reverse().find(Boolean) ?? null;
      break;
    default:
      return;
  }
  event.preventDefault();
  if (next) {
    next.focus();
    next.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  }
}
