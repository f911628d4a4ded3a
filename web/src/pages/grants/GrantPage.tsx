import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useParams } from 'react-router';
import { useSession } from '../../app/auth-context';
import { PageTitle } from '../../app/PageTitle';
import { Loading, StatusBadge } from '../../components/ui/status';
import { DeadlinesSection } from '../../features/deadlines/components/DeadlinesSection';
import { useGrant } from '../../features/grants/api/get-grant';
import { GrantFacts } from '../../features/grants/components/GrantFacts';
import { GrantNotFound } from '../../features/grants/components/GrantNotFound';
import { MoneySummary } from '../../features/grants/components/MoneySummary';
import { PaymentsSection } from '../../features/grants/components/PaymentsSection';
import { StatusActions } from '../../features/grants/components/StatusActions';
import { hasRole } from '../../lib/session';

/** One grant: facts, money, payments and deadlines from a single call; actions by role. */
const GrantPage = () => {
  const { grantId = '' } = useParams();
  const { t } = useTranslation('grants');
  const session = useSession();
  const location = useLocation();
  const grant = useGrant(grantId);
  const isAdmin = hasRole(session, 'lear-admin');

  // Links from e-mails point at a deadline: #deadline-<id>. It exists only once the data is here.
  useEffect(() => {
    if (!grant.data || !location.hash) return;
    const target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (target) {
      target.classList.add('anchor-row--target');
      target.scrollIntoView({ block: 'center' });
    }
  }, [grant.data, location.hash]);

  if (grant.isPending) return <Loading />;
  if (grant.error) return <GrantNotFound error={grant.error} />;
  const data = grant.data;
  return (
    <>
      <PageTitle title={data.acronym} />
      <p className="breadcrumb">
        <Link to="/app/grants">{t('grant.back')}</Link>
      </p>
      {(location.state as { registered?: boolean } | null)?.registered ? (
        <p className="alert alert--success" role="status">
          {t('grant.registered')}
        </p>
      ) : null}
      <div className="page-head">
        <div>
          <h1>
            {data.acronym} <StatusBadge group="status" code={data.status} />
          </h1>
          <p className="lead">{data.title}</p>
        </div>
        {isAdmin ? (
          <Link className="button" to={`/app/grants/${data.grantId}/edit`}>
            {t('grant.edit')}
          </Link>
        ) : null}
      </div>
      {isAdmin ? <StatusActions grant={data} /> : null}
      <div className="grant-layout">
        <MoneySummary grant={data} />
        <GrantFacts grant={data} />
      </div>
      <DeadlinesSection grant={data} canManage={hasRole(session, 'lear-admin', 'project-lead')} />
      <PaymentsSection grant={data} canRecord={hasRole(session, 'lear-admin', 'finance')} />
    </>
  );
};

export default GrantPage;
