import { useEffect, useState, type ReactNode } from 'react';
import { actions, orchestratorNames } from './api';
import { ActionDialog, JsonEditor, jsonProblem } from './components';

/** Start an orchestration: a name from the registered ones, an optional id, a JSON input. */
export function StartDialog({ onClose }: { onClose: (changed: boolean) => void }): ReactNode {
  const [names, setNames] = useState<string[]>([]);
  const [name, setName] = useState('');
  const [instanceId, setInstanceId] = useState('');
  const [input, setInput] = useState('');
  useEffect(() => {
    void orchestratorNames().then((all) => {
      setNames(all);
      setName((current) => current || (all[0] ?? ''));
    });
  }, []);
  return (
    <ActionDialog
      title="Start an orchestration"
      confirmLabel="Start"
      disabled={name === '' || jsonProblem(input) !== undefined}
      perform={() => actions.start(name, input, instanceId.trim() || undefined)}
      onClose={onClose}
    >
      <label className="field">
        Orchestration
        <select data-testid="start-name" value={name} onChange={(e) => setName(e.target.value)}>
          {names.map((n) => (
            <option key={n}>{n}</option>
          ))}
        </select>
      </label>
      <label className="field">
        Instance id (optional)
        <input data-testid="start-id" value={instanceId} onChange={(e) => setInstanceId(e.target.value)} />
      </label>
      <JsonEditor label="Input (JSON, optional)" value={input} onChange={setInput} testId="start-input" />
    </ActionDialog>
  );
}
