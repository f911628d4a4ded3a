import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { PageTitle } from '../../app/PageTitle';
import { useRegisterGrant } from '../../features/grants/api/register-grant';
import { focusFirstProblem, GrantForm } from '../../features/grants/components/GrantForm';
import { useSubmission } from '../../features/grants/components/use-submission';
import type { GrantInput } from '../../lib/api-client';

/** Register a grant: every field of PRODUCT.md 2.4; report deadlines follow from its reporting periods. */
const RegisterGrantPage = () => {
  const { t } = useTranslation('grants');
  const navigate = useNavigate();
  const register = useRegisterGrant();
  const submission = useSubmission();
  return (
    <div className="narrow">
      <PageTitle title={t('register.title')} />
      <h1>{t('register.title')}</h1>
      <p className="lead">{t('register.intro')}</p>
      <GrantForm
        withStatus
        problems={submission.problems}
        submitting={register.isPending}
        submitLabel={t('register.submit')}
        onSubmit={(body, form) => {
          const idempotencyKey = submission.keyFor(body);
          submission
            .run(form, () => register.mutateAsync({ body: body as GrantInput, idempotencyKey }))
            .then((grant) => {
              if (grant) navigate(`/app/grants/${grant.grantId}`, { state: { registered: true } });
            })
            .catch(() => focusFirstProblem(form));
        }}
      />
    </div>
  );
};

export default RegisterGrantPage;
