import { randomUUID } from 'node:crypto';
import { PUT_EVENTS_MAX_BYTES, PUT_EVENTS_MAX_ENTRIES } from '../contracts';

/**
 * EventBridge's PutEvents (awsJson1_1, `AWSEvents.PutEvents`) as the local pipeline needs it: the
 * documented limits (1 to 10 entries, 256 KB per request, a JSON object as detail), per-entry
 * results, and injected faults (a refused call, or refused entries). Accepted events are kept and
 * handed to listeners, which deliver them to the stack's rules.
 */

/** An event the bus accepted. */
export interface BusEvent {
  readonly id: string;
  readonly time: string;
  readonly source: string;
  readonly 'detail-type': string;
  readonly eventBusName: string;
  readonly account: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: unknown;
}

/** An entry-level refusal, as PutEvents reports it. */
export interface EntryFault {
  readonly code: string;
  readonly message?: string;
}

/** A JSON answer of the API. */
export interface JsonAnswer {
  readonly status: number;
  readonly body: unknown;
}

export class EventBridgeApi {
  /** Every accepted event, in order. */
  public readonly events: BusEvent[] = [];
  /** PutEvents requests answered. */
  public requests = 0;
  private readonly listeners: ((event: BusEvent) => void)[] = [];
  private callFaults: { left: number; fault: { type: string; status: number; message: string } }[] = [];
  private entryFaults: { left: number; fault: EntryFault }[] = [];

  /** Told of every accepted event. */
  onEvent(listener: (event: BusEvent) => void): void {
    this.listeners.push(listener);
  }

  /** Refuses the next `count` calls as a whole (e.g. ThrottlingException, 400). */
  failNextCalls(count: number, fault: { type: string; status: number; message: string }): void {
    this.callFaults.push({ left: count, fault });
  }

  /** Refuses the next `count` entries, each with `fault`, and accepts the others of their request. */
  failNextEntries(count: number, fault: EntryFault): void {
    this.entryFaults.push({ left: count, fault });
  }

  /** Forgets injected faults. */
  clearFaults(): void {
    this.callFaults = [];
    this.entryFaults = [];
  }

  reset(): void {
    this.events.length = 0;
    this.requests = 0;
    this.clearFaults();
  }

  handle(target: string, body: string): JsonAnswer {
    if (target !== 'AWSEvents.PutEvents') {
      return jsonError(400, 'UnknownOperationException', `The simulator does not implement ${target}`);
    }
    this.requests++;
    const call = this.callFaults.find((f) => f.left > 0);
    if (call !== undefined) {
      call.left--;
      return jsonError(call.fault.status, call.fault.type, call.fault.message);
    }
    const input = parseJson(body);
    const entries =
      typeof input === 'object' && input !== null && 'Entries' in input ? input.Entries : undefined;
    if (!Array.isArray(entries) || entries.length < 1 || entries.length > PUT_EVENTS_MAX_ENTRIES) {
      return jsonError(400, 'ValidationException', 'Entries must hold 1 to 10 entries');
    }
    const size = entries.reduce((n: number, e: unknown) => n + entrySize(e), 0);
    if (size > PUT_EVENTS_MAX_BYTES) {
      return jsonError(400, 'ValidationException', `Total size of the entries ${size} exceeds the limit`);
    }
    const results = entries.map((entry: unknown) => this.put(entry));
    return {
      status: 200,
      body: { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results },
    };
  }

  private put(entry: unknown): { EventId: string } | { ErrorCode: string; ErrorMessage?: string } {
    const fault = this.entryFaults.find((f) => f.left > 0);
    if (fault !== undefined) {
      fault.left--;
      return { ErrorCode: fault.fault.code, ErrorMessage: fault.fault.message };
    }
    const [source, detailType, detailText, bus] = ['Source', 'DetailType', 'Detail', 'EventBusName'].map(
      (name) => fieldOf(entry, name),
    );
    if (typeof source !== 'string' || typeof detailType !== 'string' || typeof detailText !== 'string') {
      return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Source, DetailType and Detail are required' };
    }
    const detail = parseJson(detailText);
    if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    }
    const event: BusEvent = {
      id: randomUUID(),
      time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      source,
      'detail-type': detailType,
      eventBusName: typeof bus === 'string' ? bus : 'default',
      account: '123456789012',
      region: 'us-east-1',
      resources: [],
      detail,
    };
    this.events.push(event);
    for (const listener of this.listeners) listener(event);
    return { EventId: event.id };
  }
}

function entrySize(entry: unknown): number {
  return ['Source', 'DetailType', 'Detail'].reduce((n, name) => {
    const value = fieldOf(entry, name);
    return n + (typeof value === 'string' ? Buffer.byteLength(value) : 0);
  }, 0);
}

/** A member of a parsed JSON object, or undefined. */
export function fieldOf(value: unknown, name: string): unknown {
  if (typeof value !== 'object' || value === null) return undefined;
  return Object.entries(value).find(([key]) => key === name)?.[1];
}

/** A JSON error answer, as awsJson protocols send it. */
export function jsonError(status: number, type: string, message: string): JsonAnswer {
  return { status, body: { __type: type, message } };
}

/** The JSON of a request body, or undefined when it is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
