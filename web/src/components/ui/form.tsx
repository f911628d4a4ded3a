import { createContext, type FormEvent, type ReactNode, useContext, useId } from 'react';
import { errorIdFor, type FormProblems } from '../../lib/problem';

/**
 * Form controls named by the API field path they edit. The form's problems (from the API's problem
 * document) mark a control `aria-invalid` and link its message with `aria-describedby`.
 */

interface FormState {
  readonly formId: string;
  readonly problems: FormProblems | undefined;
}

const FormContext = createContext<FormState>({ formId: 'form', problems: undefined });

export const FormProblemsProvider = ({
  formId,
  problems,
  children,
}: FormState & { readonly children: ReactNode }) => (
  <FormContext.Provider value={{ formId, problems }}>{children}</FormContext.Provider>
);

const useFieldProblem = (name: string) => {
  const { formId, problems } = useContext(FormContext);
  const messages = problems?.fields[name];
  const errorId = errorIdFor(formId, name);
  return { messages, errorId, invalid: !!messages?.length };
};

interface FieldFrameProps {
  readonly id: string;
  readonly label: string;
  readonly hint?: string | undefined;
  readonly required?: boolean | undefined;
  readonly name: string;
  readonly children: (aria: {
    id: string;
    'aria-invalid': true | undefined;
    'aria-describedby': string | undefined;
  }) => ReactNode;
}

const FieldFrame = ({ id, label, hint, required, name, children }: FieldFrameProps) => {
  const { messages, errorId, invalid } = useFieldProblem(name);
  const hintId = hint ? `${id}-hint` : undefined;
  const describedBy = [invalid ? errorId : undefined, hintId].filter(Boolean).join(' ') || undefined;
  return (
    <div className={invalid ? 'field field--invalid' : 'field'}>
      <label htmlFor={id}>
        {label}
        {required ? <span aria-hidden="true"> *</span> : null}
      </label>
      {hint ? (
        <span className="field__hint" id={hintId}>
          {hint}
        </span>
      ) : null}
      {children({ id, 'aria-invalid': invalid ? true : undefined, 'aria-describedby': describedBy })}
      {invalid ? (
        <span className="field__error" id={errorId}>
          {messages?.join(' ')}
        </span>
      ) : null}
    </div>
  );
};

type InputProps = Omit<React.InputHTMLAttributes<HTMLInputElement>, 'name' | 'id'> & {
  readonly name: string;
  readonly label: string;
  readonly hint?: string;
};

export const TextField = ({ name, label, hint, required, ...input }: InputProps) => {
  const id = useId();
  return (
    <FieldFrame id={id} label={label} hint={hint} required={required} name={name}>
      {(aria) => <input name={name} required={required} {...input} {...aria} />}
    </FieldFrame>
  );
};

type TextAreaProps = Omit<React.TextareaHTMLAttributes<HTMLTextAreaElement>, 'name' | 'id'> & {
  readonly name: string;
  readonly label: string;
  readonly hint?: string;
};

export const TextAreaField = ({ name, label, hint, required, ...textarea }: TextAreaProps) => {
  const id = useId();
  return (
    <FieldFrame id={id} label={label} hint={hint} required={required} name={name}>
      {(aria) => <textarea name={name} required={required} {...textarea} {...aria} />}
    </FieldFrame>
  );
};

export interface Option {
  readonly value: string;
  readonly label: string;
}

type SelectProps = Omit<React.SelectHTMLAttributes<HTMLSelectElement>, 'name' | 'id'> & {
  readonly name: string;
  readonly label: string;
  readonly hint?: string;
  readonly options: readonly Option[];
  /** A first option with an empty value ("all", "choose …"). */
  readonly placeholder?: string;
};

export const SelectField = ({
  name,
  label,
  hint,
  required,
  options,
  placeholder,
  ...select
}: SelectProps) => {
  const id = useId();
  return (
    <FieldFrame id={id} label={label} hint={hint} required={required} name={name}>
      {(aria) => (
        <select name={name} required={required} {...select} {...aria}>
          {placeholder !== undefined ? <option value="">{placeholder}</option> : null}
          {options.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
      )}
    </FieldFrame>
  );
};

/** Messages that belong to no single control, announced when they appear. */
export const FormAlert = ({
  messages,
  title,
}: {
  readonly messages: readonly string[];
  readonly title: string;
}) =>
  messages.length ? (
    <div className="alert alert--error" role="alert">
      <p className="alert__title">{title}</p>
      <ul>
        {messages.map((message) => (
          <li key={message}>{message}</li>
        ))}
      </ul>
    </div>
  ) : null;

/**
 * A small form opened in place inside a card (record a payment, add a deadline): its heading, the
 * problems no control owns, the controls, then submit and cancel.
 */
export const InlineFormCard = ({
  formId,
  title,
  problems,
  problemsTitle,
  onSubmit,
  submitLabel,
  cancelLabel,
  pending,
  onCancel,
  children,
}: FormState & {
  readonly title: string;
  readonly problemsTitle: string;
  readonly onSubmit: (event: FormEvent<HTMLFormElement>) => void;
  readonly submitLabel: string;
  readonly cancelLabel: string;
  readonly pending: boolean;
  readonly onCancel: () => void;
  readonly children: ReactNode;
}) => (
  <FormProblemsProvider formId={formId} problems={problems}>
    <form
      className="form form--inline-card"
      id={formId}
      noValidate
      onSubmit={onSubmit}
      aria-labelledby={`${formId}-title`}
    >
      <h3 id={`${formId}-title`}>{title}</h3>
      {problems ? <FormAlert title={problemsTitle} messages={problems.general} /> : null}
      {children}
      <div className="form__actions">
        <button type="submit" className="button button--primary" disabled={pending}>
          {submitLabel}
        </button>
        <button type="button" className="button button--quiet" onClick={onCancel}>
          {cancelLabel}
        </button>
      </div>
    </form>
  </FormProblemsProvider>
);
