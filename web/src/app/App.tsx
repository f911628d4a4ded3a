import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createBrowserRouter, RouterProvider } from 'react-router';
import type { Auth } from '../lib/auth';
import { ApiError } from '../lib/problem';
import { AuthProvider } from './auth-context';
import { routes } from './routes';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 30_000,
      refetchOnWindowFocus: false,
      // A 4xx will not change by asking again; the client already retries 429 and 503.
      retry: (failures, error) => !(error instanceof ApiError && error.status < 500) && failures < 1,
    },
  },
});

const router = createBrowserRouter(routes);

export const App = ({ auth }: { readonly auth: Auth }) => (
  <AuthProvider auth={auth}>
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  </AuthProvider>
);
