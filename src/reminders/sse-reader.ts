/**
 * A small Server-Sent Events reader over fetch, for tests and the benchmark: it parses the
 * stream as the HTML standard describes (fields `event` and `data`, blank line ends an
 * event, lines starting with a colon are comments) and keeps what came.
 */
export interface StreamEvent {
  event: string;
  data: string;
}

export interface EventStreamReader {
  status: number;
  headers: Headers;
  events: StreamEvent[];
  comments: string[];
  /** Resolves with the first event of `type` after the `skip` first ones. */
  waitFor(type: string, options?: { skip?: number; timeoutMs?: number }): Promise<StreamEvent>;
  close(): void;
}

export async function openEventStream(
  url: string,
  headers: Record<string, string> = {},
): Promise<EventStreamReader> {
  const abort = new AbortController();
  const response = await fetch(url, {
    headers: { accept: 'text/event-stream', ...headers },
    signal: abort.signal,
  });
  const events: StreamEvent[] = [];
  const comments: string[] = [];
  const waiters = new Set<() => void>();
  const reader: EventStreamReader = {
    status: response.status,
    headers: response.headers,
    events,
    comments,
    waitFor: (type, options = {}) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const found = events.filter((e) => e.event === type)[options.skip ?? 0];
          if (!found) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no "${type}" event in time (${events.length} events so far)`));
        }, options.timeoutMs ?? 5000);
        waiters.add(check);
        check();
      }),
    close: () => abort.abort(),
  };
  if (response.body)
    void pump(response.body, { events, comments, notify: () => waiters.forEach((w) => w()) });
  return reader;
}

async function pump(
  body: ReadableStream<Uint8Array>,
  sink: { events: StreamEvent[]; comments: string[]; notify: () => void },
): Promise<void> {
  const decoder = new TextDecoder();
  let buffer = '';
  let event = 'message';
  let data: string[] = [];
  try {
    for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let newline = buffer.search(/\r\n|\r|\n/);
      while (newline >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1));
        if (line === '') {
          if (data.length > 0) sink.events.push({ event, data: data.join('\n') });
          event = 'message';
          data = [];
          sink.notify();
        } else if (line.startsWith(':')) {
          sink.comments.push(line.slice(1).trim());
        } else {
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (field === 'event') event = value;
          else if (field === 'data') data.push(value);
        }
        newline = buffer.search(/\r\n|\r|\n/);
      }
    }
  } catch {
    // Aborted by close(): the stream simply ends.
  }
}
