import type { Problem } from "../../bindings/Problem";
import { describe } from "../../shared/messages";
import { problemField } from "../../shared/tree";

/** The problems about one node, shown right under it. */
export function Problems({ at, problems }: { at: string; problems: Problem[] | undefined }) {
  if (!problems || problems.length === 0) return null;
  return (
    <ul className="problems" role="alert" data-testid="problems">
      {problems.map((p, i) => (
        <li key={i} className="problem" data-testid="problem" data-problem-path={p.path}>
          <span aria-hidden="true" className="problem-icon">!</span>
          {describe(p, problemField(at, p))}
        </li>
      ))}
    </ul>
  );
}
