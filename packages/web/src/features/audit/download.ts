/** Hands a finished file to the browser as a download. */
export function saveFile(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** Saves a signed checkpoint note, byte for byte, as `checkpoint-<size>.txt` for `custos audit verify`. */
export function saveCheckpoint(note: string, treeSize: number): void {
  saveFile(new Blob([note], { type: 'text/plain;charset=utf-8' }), `checkpoint-${treeSize}.txt`);
}
