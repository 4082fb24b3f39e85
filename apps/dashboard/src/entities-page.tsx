import { useState, type ReactNode } from 'react';
import { actions, getEntityState, listEntities } from './api';
import { useAccess } from './auth';
import { ActionDialog, Json, JsonEditor, jsonProblem, Time } from './components';
import { usePolling } from './hooks';
import type { EntityJson } from './model';

export function EntitiesPage(): ReactNode {
  const [name, setName] = useState('');
  const [keyPrefix, setKeyPrefix] = useState('');
  const [tokens, setTokens] = useState<Array<string | undefined>>([undefined]);
  const [page, setPage] = useState(0);
  const [selected, setSelected] = useState<EntityJson>();
  const [dialog, setDialog] = useState<'signal' | 'delete' | 'clean'>();
  const [operation, setOperation] = useState('');
  const [input, setInput] = useState('');
  const { writable } = useAccess();
  const { data, error, reload } = usePolling(
    () => {
      // Name prefix on the server; the key prefix narrows the page here.
      const query = new URLSearchParams({ top: '100' });
      if (name !== '') query.set('namePrefix', name);
      return listEntities(query, tokens[page]);
    },
    3000,
    [name, keyPrefix, page, tokens[page]],
  );
  const state = usePolling(
    async () =>
      selected === undefined ? undefined : getEntityState(selected.entityId.name, selected.entityId.key),
    0,
    [selected?.entityId.name, selected?.entityId.key],
  );
  const rows = (data?.entities ?? []).filter((e) => keyPrefix === '' || e.entityId.key.startsWith(keyPrefix));
  const close = (changed: boolean): void => {
    setDialog(undefined);
    if (changed) {
      reload();
      state.reload();
    }
  };
  return (
    <div>
      <h2>Entities</h2>
      <div className="filters">
        <input
          placeholder="name starts with"
          value={name}
          onChange={(e) => {
            setName(e.target.value);
            setTokens([undefined]);
            setPage(0);
          }}
        />
        <input
          placeholder="key starts with"
          value={keyPrefix}
          onChange={(e) => setKeyPrefix(e.target.value)}
        />
        {writable ? (
          <button data-testid="clean-entities" onClick={() => setDialog('clean')}>
            Clean storage…
          </button>
        ) : null}
        <span className="pager">
          <button disabled={page === 0} onClick={() => setPage(page - 1)}>
            ‹ Previous
          </button>
          <span>page {page + 1}</span>
          <button
            disabled={data?.next === undefined}
            onClick={() => {
              setTokens((t) => {
                const n = [...t];
                n[page + 1] = data?.next;
                return n;
              });
              setPage(page + 1);
            }}
          >
            Next ›
          </button>
        </span>
      </div>
      {error !== undefined ? <p className="error">{error}</p> : null}
      <div className="columns">
        <table data-testid="entities">
          <thead>
            <tr>
              <th>name</th>
              <th>key</th>
              <th>last operation</th>
              <th>queue</th>
              <th>locked by</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((e) => (
              <tr
                key={`${e.entityId.name}@${e.entityId.key}`}
                className={
                  selected?.entityId.name === e.entityId.name && selected.entityId.key === e.entityId.key
                    ? 'selected'
                    : ''
                }
                onClick={() => setSelected(e)}
              >
                <td>{e.entityId.name}</td>
                <td>{e.entityId.key}</td>
                <td>
                  <Time iso={e.lastOperationTime} />
                </td>
                <td>{e.backlogQueueSize ?? 0}</td>
                <td>{e.lockedBy ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {selected !== undefined ? (
          <section data-testid="entity-state">
            <h3>
              @{selected.entityId.name}@{selected.entityId.key}
            </h3>
            <Json value={state.data} />
            {writable ? (
              <div className="toolbar">
                <button onClick={() => setDialog('signal')}>Signal…</button>
                <button onClick={() => setDialog('delete')}>Delete…</button>
              </div>
            ) : null}
          </section>
        ) : null}
      </div>
      {dialog === 'signal' && selected !== undefined ? (
        <ActionDialog
          title={`Signal @${selected.entityId.name}@${selected.entityId.key}`}
          confirmLabel="Signal"
          disabled={operation.trim() === '' || jsonProblem(input) !== undefined}
          perform={() =>
            actions.signalEntity(selected.entityId.name, selected.entityId.key, operation, input)
          }
          onClose={close}
        >
          <label className="field">
            Operation
            <input value={operation} onChange={(e) => setOperation(e.target.value)} />
          </label>
          <JsonEditor
            label="Input (JSON, optional)"
            value={input}
            onChange={setInput}
            testId="signal-input"
          />
        </ActionDialog>
      ) : null}
      {dialog === 'delete' && selected !== undefined ? (
        <ActionDialog
          title={`Delete the state of @${selected.entityId.name}@${selected.entityId.key}`}
          confirmLabel="Delete"
          perform={() => actions.deleteEntity(selected.entityId.name, selected.entityId.key)}
          onClose={close}
        />
      ) : null}
      {dialog === 'clean' ? (
        <ActionDialog
          title="Clean entity storage: remove empty entities, release orphaned locks"
          confirmLabel="Clean"
          perform={() => actions.cleanEntityStorage()}
          onClose={close}
        />
      ) : null}
    </div>
  );
}
