/** Who is in the room; the user's own pill is marked. */
export function MemberList({ users, selfId }: { users: string[]; selfId: string }) {
  return (
    <div className="users">
      <span className="muted small" id="users-label">
        Users ({users.length}):
      </span>
      <ul className="pills" aria-labelledby="users-label" data-testid="user-list">
        {users.map((u) => (
          <li
            key={u}
            className={u === selfId ? 'pill pill-self' : 'pill'}
            data-testid="user-pill"
            data-user={u}
            aria-current={u === selfId ? 'true' : undefined}
          >
            {u}
            {u === selfId && <span className="visually-hidden"> (you)</span>}
          </li>
        ))}
      </ul>
    </div>
  );
}
