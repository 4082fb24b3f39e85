import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { storeToken } from './api';
import { App } from './app';
import { noteSignInFailure } from './auth';
import { completeSignIn } from './oidc';

// Before the first API call: the page may be the identity provider sending the browser back.
void completeSignIn()
  .then((token) => {
    if (token !== undefined) storeToken(token);
  }, noteSignInFailure)
  .finally(() =>
    createRoot(document.getElementById('root') as HTMLElement).render(
      <StrictMode>
        <App />
      </StrictMode>,
    ),
  );
