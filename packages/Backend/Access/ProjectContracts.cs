namespace Lightdash.Net.Backend.Access;

/// <summary>A project as its members see it (never its warehouse credentials).</summary>
public sealed class ProjectResults
{
    /// <summary>The project's id.</summary>
    public required Guid ProjectUuid { get; init; }

    /// <summary>Its name.</summary>
    public required string Name { get; init; }

    /// <summary>Its warehouse type (<c>postgres</c>, <c>duckdb</c>).</summary>
    public required string WarehouseType { get; init; }

    /// <summary>The caller's role in it: <c>viewer</c>, <c>developer</c> or <c>admin</c> (organisation admins: <c>admin</c>).</summary>
    public required string Role { get; init; }

    /// <summary>
    /// Whether every query runs with its user's own warehouse login (saved at
    /// <c>PUT /api/v1/projects/{projectUuid}/user-credentials</c>) rather than the project's.
    /// </summary>
    public bool RequireUserCredentials { get; init; }

    /// <summary>The most statements this project's queries hold open on its warehouse at once, across every instance; null for the backend's default (<c>QueryExecution:MaxWarehouseStatementsPerProject</c>).</summary>
    public int? MaxWarehouseStatements { get; init; }

    /// <summary>The most queries this project accepts a minute from everyone; null for the backend's default.</summary>
    public int? MaxSubmissionsPerMinute { get; init; }

    /// <summary>The most queries this project accepts a minute from one user; null for the backend's default.</summary>
    public int? MaxSubmissionsPerMinutePerUser { get; init; }
}

/// <summary>A member of a project.</summary>
public sealed class ProjectMemberResults
{
    /// <summary>The member's id.</summary>
    public required Guid UserUuid { get; init; }

    /// <summary>Their email.</summary>
    public required string Email { get; init; }

    /// <summary>Their name.</summary>
    public required string Name { get; init; }

    /// <summary>Their role: <c>viewer</c>, <c>developer</c> or <c>admin</c>.</summary>
    public required string Role { get; init; }
}

/// <summary>Sets a user's role in a project.</summary>
public sealed class SetProjectRoleRequest
{
    /// <summary><c>viewer</c> (saved content and their own results), <c>developer</c> (also raw SQL) or <c>admin</c> (also members and content).</summary>
    public string? Role { get; init; }
}

/// <summary>A new project (organisation admins).</summary>
public sealed class CreateProjectRequest
{
    /// <summary>Its name.</summary>
    public string? Name { get; init; }

    /// <summary>The warehouse type: <c>postgres</c> or <c>duckdb</c>.</summary>
    public string? WarehouseType { get; init; }

    /// <summary>The driver's connection string. Write-only: it is stored, never returned or logged.</summary>
    public string? ConnectionString { get; init; }

    /// <summary>How long results are kept and reused, in seconds; the backend's default when absent.</summary>
    public int? ResultsCacheTtlSeconds { get; init; }

    /// <summary>The longest a warehouse statement of this project may run, in seconds (the warehouse stops it); the backend's default (30 minutes) when absent.</summary>
    public int? StatementTimeoutSeconds { get; init; }

    /// <summary>
    /// Cancel the project's queries that nobody polls or waits on for this many seconds (1 to 86400),
    /// unless a request sets its own <c>cancelIfUnreadSeconds</c>; in a PATCH, 0 turns it off.
    /// </summary>
    public int? CancelIfUnreadSeconds { get; init; }

    /// <summary>
    /// Run every query with its user's own warehouse login (PostgreSQL; organisation admins only), so that
    /// users cannot see or cancel each other's statements on the warehouse. Members save their login at
    /// <c>PUT /api/v1/projects/{projectUuid}/user-credentials</c>; until then their queries are refused (409).
    /// </summary>
    public bool? RequireUserCredentials { get; init; }

    /// <summary>The most statements this project's queries may hold open on its warehouse at once, across every instance (1 to 1000; organisation admins only); beyond it queries wait queued (<c>waitingFor: "warehouseLimit"</c>). Absent: the backend's default.</summary>
    public int? MaxWarehouseStatements { get; init; }

    /// <summary>The most queries this project accepts a minute from everyone (1 to 100000; organisation admins only); beyond it a submit is a 429 with <c>Retry-After</c>. Absent: the backend's default.</summary>
    public int? MaxSubmissionsPerMinute { get; init; }

    /// <summary>The most queries this project accepts a minute from one user (1 to 100000; organisation admins only). Absent: the backend's default.</summary>
    public int? MaxSubmissionsPerMinutePerUser { get; init; }
}

/// <summary>Changes to a project (project admins; the connection string organisation admins only). Absent fields stay as they are.</summary>
public sealed class UpdateProjectRequest
{
    /// <summary>A new name.</summary>
    public string? Name { get; init; }

    /// <summary>A new warehouse connection string (write-only; organisation admins only). It is tried before it is stored.</summary>
    public string? ConnectionString { get; init; }

    /// <summary>How long results are kept and reused, in seconds (at least 60).</summary>
    public int? ResultsCacheTtlSeconds { get; init; }

    /// <summary>The longest a warehouse statement of this project may run, in seconds.</summary>
    public int? StatementTimeoutSeconds { get; init; }

    /// <summary>
    /// Cancel the project's queries that nobody polls or waits on for this many seconds (1 to 86400),
    /// unless a request sets its own <c>cancelIfUnreadSeconds</c>; in a PATCH, 0 turns it off.
    /// </summary>
    public int? CancelIfUnreadSeconds { get; init; }

    /// <summary>
    /// Run every query with its user's own warehouse login (PostgreSQL; organisation admins only), so that
    /// users cannot see or cancel each other's statements on the warehouse. Members save their login at
    /// <c>PUT /api/v1/projects/{projectUuid}/user-credentials</c>; until then their queries are refused (409).
    /// </summary>
    public bool? RequireUserCredentials { get; init; }

    /// <summary>The most statements this project's queries may hold open on its warehouse at once (1 to 1000; organisation admins only); 0 goes back to the backend's default.</summary>
    public int? MaxWarehouseStatements { get; init; }

    /// <summary>The most queries this project accepts a minute from everyone (1 to 100000; organisation admins only); 0 goes back to the backend's default.</summary>
    public int? MaxSubmissionsPerMinute { get; init; }

    /// <summary>The most queries this project accepts a minute from one user (1 to 100000; organisation admins only); 0 goes back to the backend's default.</summary>
    public int? MaxSubmissionsPerMinutePerUser { get; init; }
}
