import { Button, Result } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';

/**
 * ComingSoonPage stands in for a capability that is not built yet and says what it
 * will hold (comingSoon.what.<capability>).
 */
export default function ComingSoonPage({ nameKey, capability }: { nameKey: string; capability: string }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  return (
    <Result
      status="info"
      title={t('comingSoon.title')}
      subTitle={t('comingSoon.description', { name: t(nameKey), what: t(`comingSoon.what.${capability}`) })}
      extra={
        <Button type="primary" onClick={() => navigate('/overview')}>
          {t('comingSoon.back')}
        </Button>
      }
      data-testid="coming-soon"
    />
  );
}
