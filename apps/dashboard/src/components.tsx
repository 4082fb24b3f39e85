import { useState, type ReactNode } from 'react';
import type { ApiAnswer } from './api';
import type { RuntimeStatus } from './model';

export function StatusBadge({ status }: { status: RuntimeStatus }): ReactNode {
  return <span className={`badge status-${status}`}>{status}</span>;
}

export function Json({ value }: { value: unknown }): ReactNode {
  if (value === undefined || value === null) return <span className="muted">none</span>;
  return (
    <pre className="json">
      {typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value, null, 2)}
    </pre>
  );
}

export function Time({ iso }: { iso: string | undefined }): ReactNode {
  if (iso === undefined) return <span className="muted">—</span>;
  return (
    <time dateTime={iso} title={iso}>
      {new Date(iso).toLocaleString()}
    </time>
  );
}

/** The text is JSON (or empty when `optional`); the message says why not. */
export function jsonProblem(text: string, optional = true): string | undefined {
  if (text.trim() === '') return optional ? undefined : 'a JSON value is required';
  try {
    JSON.parse(text);
    return undefined;
  } catch (e) {
    return `not valid JSON: ${e instanceof Error ? e.message : String(e)}`;
  }
}

export function JsonEditor(props: {
  label: string;
  value: string;
  onChange: (text: string) => void;
  testId: string;
}): ReactNode {
  const problem = jsonProblem(props.value);
  return (
    <label className="field">
      {props.label}
      <textarea
        data-testid={props.testId}
        rows={5}
        value={props.value}
        spellCheck={false}
        onChange={(e) => props.onChange(e.target.value)}
        className={problem !== undefined ? 'invalid' : ''}
      />
      {problem !== undefined ? <span className="error">{problem}</span> : null}
    </label>
  );
}

/**
 * A confirmation step for a write: the form, then the API's answer (status and body) once sent.
 * `perform` returns the answer; `disabled` blocks confirming (e.g. invalid JSON).
 */
export function ActionDialog(props: {
  title: string;
  confirmLabel: string;
  children?: ReactNode;
  disabled?: boolean;
  perform: () => Promise<ApiAnswer | ApiAnswer[]>;
  onClose: (changed: boolean) => void;
}): ReactNode {
  const [answers, setAnswers] = useState<ApiAnswer[]>();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string>();
  const confirm = async (): Promise<void> => {
    setBusy(true);
    try {
      const result = await props.perform();
      setAnswers(Array.isArray(result) ? result : [result]);
    } catch (e) {
      setFailure(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="backdrop" role="dialog" aria-label={props.title}>
      <div className="dialog" data-testid="action-dialog">
        <h3>{props.title}</h3>
        {answers === undefined ? (
          <>
            {props.children}
            {failure !== undefined ? <p className="error">{failure}</p> : null}
            <div className="buttons">
              <button onClick={() => props.onClose(false)}>Cancel</button>
              <button
                className="primary"
                data-testid="confirm"
                disabled={busy || props.disabled === true}
                onClick={() => void confirm()}
              >
                {props.confirmLabel}
              </button>
            </div>
          </>
        ) : (
          <>
            <div data-testid="api-answer" className="answers">
              {answers.map((answer, i) => (
                <div key={i} className={answer.ok ? 'ok' : 'error'}>
                  <strong>HTTP {answer.status}</strong>
                  {answer.body !== null && answer.body !== '' ? <Json value={answer.body} /> : null}
                </div>
              ))}
            </div>
            <div className="buttons">
              <button className="primary" data-testid="close" onClick={() => props.onClose(true)}>
                Close
              </button>
            </div>
          </>
        )}
      </div>
    </div>
  );
}
