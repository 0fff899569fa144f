using Lightdash.Net.Backend.Platform;
using Lightdash.Net.Warehouses;
using Npgsql;

namespace Lightdash.Net.Backend.Access;

/// <summary>
/// Which warehouse login a user's statements run with: the project's own, or, where the project
/// requires user credentials, the user's own login on the project's server and database. Separate
/// logins are what keep users of one warehouse apart: PostgreSQL shows a statement's text in
/// <c>pg_stat_activity</c>, and lets it be cancelled, only to its own login (and the roles that
/// login is a member of).
/// </summary>
public sealed class WarehouseLogins(UserCredentialStore credentials)
{
    /// <summary>
    /// The connection for a request of <paramref name="userUuid"/>; 409 naming the route to save a
    /// login when the project requires one and the user has none.
    /// </summary>
    public async Task<WarehouseConnection> ForRequestAsync(Project project, Guid userUuid, CancellationToken cancellationToken) =>
        await FindAsync(project, userUuid, cancellationToken) ?? throw new ConflictException(Missing(project));

    /// <summary>The connection a background job runs a user's statement with; a warehouse error when the user has no login.</summary>
    public async Task<WarehouseConnection> ForJobAsync(Project project, Guid? userUuid, CancellationToken cancellationToken) =>
        await FindAsync(project, userUuid, cancellationToken) ?? throw new WarehouseQueryException(Missing(project));

    /// <summary>
    /// The user whose login a result depends on, for cache keys: the user where the project requires
    /// user credentials (another login may see other rows), null where everyone shares the project's.
    /// </summary>
    public static Guid? LoginOwner(Project project, Guid? userUuid) => project.RequireUserCredentials ? userUuid ?? Guid.Empty : null;

    /// <summary>The project's connection with another login (user name and password) in it.</summary>
    public static WarehouseConnection WithLogin(WarehouseConnection connection, string username, string password)
    {
        if (connection.Type != WarehouseType.Postgres)
        {
            throw new ValidationException($"User credentials apply to PostgreSQL warehouses; this one is {connection.Type}.");
        }

        var builder = new NpgsqlConnectionStringBuilder(connection.ConnectionString) { Username = username, Password = password };
        return connection with { ConnectionString = builder.ConnectionString };
    }

    private async Task<WarehouseConnection?> FindAsync(Project project, Guid? userUuid, CancellationToken cancellationToken)
    {
        if (!project.RequireUserCredentials)
        {
            return project.Warehouse;
        }

        var login = userUuid is { } user ? await credentials.FindAsync(project.ProjectUuid, user, cancellationToken) : null;
        return login is null ? null : WithLogin(project.Warehouse, login.Username, login.Password);
    }

    private static string Missing(Project project) =>
        $"Project {project.ProjectUuid} runs every query with its user's own warehouse login, and you have saved none: " +
        $"save yours with PUT /api/v1/projects/{project.ProjectUuid}/user-credentials.";
}
