/**
 * Hands a file made in the browser to the person: an object URL on a temporary link, released once
 * the browser has taken it. Nothing is uploaded anywhere.
 */
export const saveFile = (content: Blob | Uint8Array | string, fileName: string, type: string): void => {
  const blob = content instanceof Blob ? content : new Blob([content as BlobPart], { type });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
};

export const CSV_TYPE = 'text/csv;charset=utf-8';
