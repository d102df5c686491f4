// Saves text the backend made (an .ics invite, a calendar) as a file, the way a web page can: a Blob link.

/** `fileName` safe for every file system: no path separators or reserved characters. */
export function safeFileName(name: string): string {
  const cleaned = name
    .replace(/[\\/:*?"<>|\u0000-\u001f]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return cleaned || 'calendar';
}

/**
 * Offers `text` as the download `fileName`. The link is put in `inside` (a modal dialog makes everything
 * outside it inert, and a click on an inert link does nothing).
 */
export function downloadText(text: string, fileName: string, type: string, inside: HTMLElement = document.body) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.hidden = true;
  inside.append(a);
  a.click();
  a.remove();
  // Revoked once the download has had time to start (revoking at once can cancel it).
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export const ICS_TYPE = 'text/calendar;charset=utf-8';
