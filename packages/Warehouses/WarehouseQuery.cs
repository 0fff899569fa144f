namespace Lightdash.Net.Warehouses;

/// <summary>A query to run: the user's SQL, and optionally a window of its rows.</summary>
/// <param name="Sql">The SQL as the user wrote it (one query; a trailing semicolon is allowed).</param>
/// <param name="Limit">At most this many rows, or all when null.</param>
/// <param name="Offset">Rows to skip first, or none when null.</param>
/// <param name="OnStarted">
/// Called with the warehouse's id of the query (for PostgreSQL the backend process id) once it is
/// sent, before its first row arrives, so that a long query can be seen and traced while it runs.
/// </param>
/// <param name="Timeout">
/// The statement's time limit, enforced by the warehouse (PostgreSQL's <c>statement_timeout</c>,
/// DuckDB's interrupt); none when null. Reaching it fails the query with a
/// <see cref="WarehouseQueryException"/> that names the limit.
/// </param>
/// <param name="Tag">Who the statement is for, in the warehouse's own tagging; none when null.</param>
/// <param name="Parameters">
/// Values bound to the positional placeholders <c>$1</c>, <c>$2</c>... of <paramref name="Sql"/>, in order
/// (long, decimal, double, string, bool, DateOnly, TimeOnly, DateTime, DateTimeOffset or null); none when null.
/// They travel beside the SQL, never inside it.
/// </param>
public sealed record WarehouseQuery(
    string Sql, long? Limit = null, long? Offset = null, Func<string, CancellationToken, Task>? OnStarted = null, TimeSpan? Timeout = null, QueryTag? Tag = null,
    IReadOnlyList<object?>? Parameters = null);
