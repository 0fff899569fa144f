using Lightdash.Net.Warehouses;

namespace Lightdash.Net.Backend.Access;

/// <summary>A project: a name and the warehouse its queries run on.</summary>
/// <param name="ProjectUuid">The project's id.</param>
/// <param name="Name">Its name.</param>
/// <param name="Warehouse">Its warehouse connection (holds credentials).</param>
/// <param name="ResultsCacheTtl">How long its results are kept and reused, or null for the backend's default.</param>
/// <param name="StatementTimeout">The longest its warehouse statements may run, or null for the backend's default.</param>
/// <param name="CancelIfUnread">Cancel its queries that nobody reads for this long (unless a request sets its own), or null.</param>
/// <param name="RequireUserCredentials">Run each user's statements with that user's own warehouse login (PostgreSQL), never the project's.</param>
/// <param name="MaxSubmissionsPerMinute">The most queries the project accepts a minute, from everyone, or null for the backend's default.</param>
/// <param name="MaxSubmissionsPerMinutePerUser">The most queries the project accepts a minute from one user, or null for the backend's default.</param>
/// <param name="MaxWarehouseStatements">The most statements its queries hold open on its warehouse at once, across every instance, or null for the backend's default.</param>
public sealed record Project(
    Guid ProjectUuid,
    string Name,
    WarehouseConnection Warehouse,
    TimeSpan? ResultsCacheTtl = null,
    TimeSpan? StatementTimeout = null,
    TimeSpan? CancelIfUnread = null,
    bool RequireUserCredentials = false,
    int? MaxWarehouseStatements = null,
    int? MaxSubmissionsPerMinute = null,
    int? MaxSubmissionsPerMinutePerUser = null);
