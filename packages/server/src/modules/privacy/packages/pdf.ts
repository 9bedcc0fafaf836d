import type { SignedPrivacyCertificate } from '@custos/shared';
import { PDFDocument, type PDFFont, type PDFPage, rgb, StandardFonts } from 'pdf-lib';

const PAGE = { width: 595.28, height: 841.89, margin: 50 };
const SIZE = 10;
const LINE = 14;

/** The standard fonts speak WinAnsi only: anything else becomes '?' rather than failing the PDF. */
const printable = (text: string) => text.replace(/[^\x20-\x7E\u00A0-\u00FF\u2014]/g, '?');

class Writer {
  private page: PDFPage;
  private y: number;
  constructor(
    private readonly doc: PDFDocument,
    private readonly font: PDFFont,
    private readonly bold: PDFFont,
  ) {
    this.page = doc.addPage([PAGE.width, PAGE.height]);
    this.y = PAGE.height - PAGE.margin;
  }

  line(text: string, options: { bold?: boolean; size?: number; indent?: number } = {}) {
    const size = options.size ?? SIZE;
    const font = options.bold ? this.bold : this.font;
    const x = PAGE.margin + (options.indent ?? 0);
    const width = PAGE.width - PAGE.margin - x;
    for (const part of wrap(printable(text), font, size, width)) {
      if (this.y < PAGE.margin + LINE) {
        this.page = this.doc.addPage([PAGE.width, PAGE.height]);
        this.y = PAGE.height - PAGE.margin;
      }
      this.page.drawText(part, { x, y: this.y, size, font, color: rgb(0.1, 0.1, 0.1) });
      this.y -= size + 4;
    }
  }

  gap() {
    this.y -= LINE / 2;
  }
}

function wrap(text: string, font: PDFFont, size: number, width: number): string[] {
  const out: string[] = [];
  let current = '';
  for (const word of text.split(' ')) {
    const next = current ? `${current} ${word}` : word;
    if (font.widthOfTextAtSize(next, size) <= width) {
      current = next;
      continue;
    }
    if (current) out.push(current);
    // A word longer than the line (a signature) is cut by characters.
    let rest = word;
    while (font.widthOfTextAtSize(rest, size) > width && rest.length > 1) {
      let cut = rest.length;
      while (cut > 1 && font.widthOfTextAtSize(rest.slice(0, cut), size) > width) cut--;
      out.push(rest.slice(0, cut));
      rest = rest.slice(cut);
    }
    current = rest;
  }
  out.push(current);
  return out;
}

/** The certificate as a PDF: the same facts as the JSON, with the signed note to check it by. */
export async function certificatePdf(signed: SignedPrivacyCertificate): Promise<Uint8Array> {
  const { certificate: c, signature } = signed;
  const doc = await PDFDocument.create();
  doc.setTitle(`Completion certificate ${c.request.id}`);
  doc.setProducer('Custos');
  doc.setCreationDate(new Date(c.request.completedAt ?? c.request.receivedAt));
  const w = new Writer(
    doc,
    await doc.embedFont(StandardFonts.Helvetica),
    await doc.embedFont(StandardFonts.HelveticaBold),
  );
  w.line('Completion certificate of a data subject request', { bold: true, size: 16 });
  w.gap();
  w.line(`Organization: ${c.organization.name} (${c.organization.id})`);
  w.line(`Request: ${c.request.id}, ${c.request.type}, regime ${c.request.regime.toUpperCase()}`);
  w.line(
    `Received ${c.request.receivedAt}; verified ${c.request.verifiedAt ?? '-'}; approved ${c.request.approvedAt ?? '-'}`,
  );
  w.line(`Completed ${c.request.completedAt ?? '-'}`);
  w.line(
    `Clock (${c.clock.timeZone}): started ${c.clock.startDate}, due ${c.clock.dueDate}, ` +
      `${c.clock.extensions} extension(s); ${c.clock.onTime ? 'completed on time' : 'completed late'}.`,
  );
  w.gap();
  w.line('What each system did', { bold: true, size: 12 });
  for (const system of c.systems) {
    w.line(system.systemName, { bold: true, indent: 8 });
    for (const task of system.tasks) {
      const who = task.recipient ? ` to ${task.recipient}` : '';
      w.line(
        `${task.kind}${who}: ${task.state}, finished ${task.finishedAt ?? '-'}, ${task.attempts} attempt(s)` +
          (task.lastError ? ` (${task.lastError})` : ''),
        { indent: 16 },
      );
      for (const s of task.strategies) w.line(`${s.categoryKey}: ${s.erasureStrategy}`, { indent: 28 });
    }
  }
  if (c.systems.length === 0) w.line('No system held data for this request.', { indent: 8 });
  w.gap();
  w.line('Timeline', { bold: true, size: 12 });
  w.line(`${c.timeline.entries} entries from ${c.timeline.first ?? '-'} to ${c.timeline.last ?? '-'}`, {
    indent: 8,
  });
  for (const [kind, n] of Object.entries(c.timeline.byKind)) w.line(`${kind}: ${n}`, { indent: 16 });
  w.gap();
  w.line('Signature', { bold: true, size: 12 });
  w.line(
    `Signed with the audit key ${signature.keyName} (${signature.keyId}), published at /.well-known/custos/audit-keys, ` +
      "over the SHA-256 of the JSON certificate's canonical form (RFC 8785). Verify the JSON, not this PDF.",
    { indent: 8 },
  );
  for (const noteLine of signature.note.split('\n')) w.line(noteLine, { indent: 8, size: 8 });
  return doc.save();
}
