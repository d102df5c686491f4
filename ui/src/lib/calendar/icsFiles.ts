// Which files the .ics import takes, kept apart from the dialog.
export const ICS_ACCEPT = '.ics,text/calendar';

export function isIcsFile(f: { name: string; type?: string }): boolean {
  return f.name.toLowerCase().endsWith('.ics') || f.type === 'text/calendar';
}

/** Splits dropped or picked files into those the import takes and the names of the others. */
export function sortIcsFiles(files: Iterable<File>): { taken: File[]; refused: string[] } {
  const taken: File[] = [];
  const refused: string[] = [];
  for (const f of files) {
    if (isIcsFile(f)) taken.push(f);
    else refused.push(f.name);
  }
  return { taken, refused };
}

/** True when a drag carries files (not text or a link dragged about the page). */
export function draggingFiles(e: DragEvent): boolean {
  return [...(e.dataTransfer?.types ?? [])].includes('Files');
}
