import { Navigate } from 'react-router';
import { useSession } from './auth-context';
import { NAV } from './routes';

/** /app/ lands each role on its first page; signed out, on the sign-in page. */
export const Home = () => {
  const session = useSession();
  if (!session) return <Navigate to="/app/sign-in" replace />;
  const first = NAV.find((item) => session.roles.some((role) => item.roles.includes(role)));
  return <Navigate to={first?.to ?? '/app/grants'} replace />;
};
