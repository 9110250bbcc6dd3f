import { App, Button, Drawer, Form, Space, type FormInstance } from 'antd';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { applyProblem } from '../lib/problemFields';
import { ErrorAlert } from './ErrorAlert';

export interface FormDrawerProps<V> {
  open: boolean;
  title: string;
  onClose: () => void;
  /** form is the caller's form instance when it watches fields; one is made otherwise. */
  form?: FormInstance<V>;
  initialValues?: Partial<V>;
  /** onSubmit saves the values; a rejected ApiError's field errors land on the fields. */
  onSubmit: (values: V) => Promise<unknown>;
  /** rename maps a body field of the API to the form field that edits it. */
  rename?: Record<string, string>;
  /** successText is the toast after saving; common.saved by default. */
  successText?: string;
  /** testId names the drawer; its submit button is `${testId}-submit`. */
  testId: string;
  children: ReactNode;
}

/**
 * FormDrawer is the console's create/edit form in a drawer: it validates,
 * calls onSubmit, shows the API's validation errors under the fields they
 * name (applyProblem) and the rest in an alert, and closes on success.
 */
export function FormDrawer<V extends object>({
  open,
  title,
  onClose,
  form: given,
  initialValues,
  onSubmit,
  rename,
  successText,
  testId,
  children,
}: FormDrawerProps<V>) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [own] = Form.useForm<V>();
  const form = given ?? own;
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const close = () => {
    setError(null);
    onClose();
  };

  const submit = async (values: V) => {
    setSaving(true);
    setError(null);
    try {
      await onSubmit(values);
      void message.success(successText ?? t('common.saved'));
      close();
    } catch (err) {
      const { unplaced } = applyProblem(form, err, rename);
      if (unplaced > 0) setError(err);
    } finally {
      setSaving(false);
    }
  };

  return (
    <Drawer
      open={open}
      onClose={close}
      size={520}
      title={title}
      destroyOnHidden
      extra={
        <Space>
          <Button onClick={close}>{t('common.cancel')}</Button>
          <Button type="primary" loading={saving} onClick={() => form.submit()} data-testid={`${testId}-submit`}>
            {t('common.save')}
          </Button>
        </Space>
      }
    >
      {error ? <ErrorAlert error={error} /> : null}
      {open ? (
        <Form<V> form={form} layout="vertical" initialValues={initialValues} onFinish={(v) => void submit(v)} data-testid={testId}>
          {children}
        </Form>
      ) : null}
    </Drawer>
  );
}
