import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { loadConfig } from './config/env';
import { initI18n } from './i18n';
import { initApiClient } from './lib/api-client';
import { createAuth } from './lib/auth';
import './styles.css';

/** Configuration, language and sign-in first (one request for /config.json), then the first render. */
const start = async () => {
  const root = document.getElementById('root') as HTMLElement;
  try {
    const config = await loadConfig();
    await initI18n(config.defaultLanguage);
    const auth = await createAuth(config.signIn);
    initApiClient(config.apiBaseUrl, () => auth.current()?.token);
    createRoot(root).render(<App auth={auth} />);
  } catch (error) {
    root.textContent = `Funding tracker could not start: ${(error as Error).message}`;
    root.setAttribute('role', 'alert');
  }
};

void start();
