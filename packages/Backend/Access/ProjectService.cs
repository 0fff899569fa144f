using Lightdash.Net.Backend.Platform;
using Lightdash.Net.Warehouses;

namespace Lightdash.Net.Backend.Access;

/// <summary>Projects as their members see them, and their membership (project admins).</summary>
public sealed class ProjectService(
    ProjectAccess access,
    ProjectStore projects,
    MembershipStore memberships,
    UserStore users,
    WarehouseClientFactory warehouses,
    IProjectDataRemoval removal)
{
    private const int MinCacheTtlSeconds = 60;
    private const int MaxStatementTimeoutSeconds = 7 * 24 * 3600;
    private const int MaxConnectionStringLength = 4096;

    /// <summary>Creates a project (organisation admins); its creator becomes its admin.</summary>
    /// <remarks>Projects declared in configuration are written again at every start: configuration wins for those.</remarks>
    public async Task<ProjectResults> CreateAsync(CurrentUser user, CreateProjectRequest request, CancellationToken cancellationToken)
    {
        if (!user.IsAdmin)
        {
            throw new ForbiddenException("Only organisation admins create projects.");
        }

        var name = InputLimits.RequireName(request.Name);

        if (!Enum.TryParse<WarehouseType>(request.WarehouseType, ignoreCase: true, out var type))
        {
            throw new ValidationException($"warehouseType must be one of {string.Join(", ", Enum.GetNames<WarehouseType>().Select(n => n.ToLowerInvariant()))}.");
        }

        if (string.IsNullOrWhiteSpace(request.ConnectionString))
        {
            throw new ValidationException("connectionString is required.");
        }

        ValidConnectionString(request.ConnectionString);

        var connection = new WarehouseConnection(type, request.ConnectionString);
        var project = new Project(
            Guid.NewGuid(), name, connection, ValidTtl(request.ResultsCacheTtlSeconds), ValidStatementTimeout(request.StatementTimeoutSeconds),
            ValidCancelIfUnread(request.CancelIfUnreadSeconds), ValidRequireUserCredentials(request.RequireUserCredentials, type),
            request.MaxWarehouseStatements is null ? null : ValidWarehouseCap(request.MaxWarehouseStatements.Value),
            request.MaxSubmissionsPerMinute is null ? null : ValidSubmissionLimit(request.MaxSubmissionsPerMinute.Value, "maxSubmissionsPerMinute"),
            request.MaxSubmissionsPerMinutePerUser is null ? null : ValidSubmissionLimit(request.MaxSubmissionsPerMinutePerUser.Value, "maxSubmissionsPerMinutePerUser"));
        await CheckConnectionAsync(connection, cancellationToken);
        await projects.UpsertAsync(project, cancellationToken);
        await memberships.SetRoleAsync(project.ProjectUuid, user.UserUuid, ProjectRole.Admin, cancellationToken);
        return await GetAsync(user, project.ProjectUuid, cancellationToken);
    }

    /// <summary>
    /// Renames a project or changes its cache TTL or statement time limit (project admins); replaces
    /// its connection (organisation admins only: a connection string decides what the server reaches).
    /// </summary>
    public async Task<ProjectResults> UpdateAsync(CurrentUser user, Guid projectUuid, UpdateProjectRequest request, CancellationToken cancellationToken)
    {
        var project = await access.RequireAsync(user, projectUuid, ProjectRole.Admin, cancellationToken);
        if (request.Name is { } name)
        {
            if (string.IsNullOrWhiteSpace(name))
            {
                throw new ValidationException("name cannot be empty.");
            }

            InputLimits.RequireName(name);
        }

        CheckAdminOnlyChanges(user, request);
        var warehouse = project.Warehouse;
        if (request.ConnectionString is not null)
        {
            if (string.IsNullOrWhiteSpace(request.ConnectionString))
            {
                throw new ValidationException("connectionString cannot be empty.");
            }

            ValidConnectionString(request.ConnectionString);
            warehouse = project.Warehouse with { ConnectionString = request.ConnectionString };
            await CheckConnectionAsync(warehouse, cancellationToken);
        }

        CheckAdminOnlyChanges(user, request);

        var updated = project with
        {
            RequireUserCredentials = request.RequireUserCredentials is { } require ? ValidRequireUserCredentials(require, warehouse.Type) : project.RequireUserCredentials,
            Name = request.Name?.Trim() ?? project.Name,
            Warehouse = warehouse,
            ResultsCacheTtl = request.ResultsCacheTtlSeconds is null ? project.ResultsCacheTtl : ValidTtl(request.ResultsCacheTtlSeconds),
            StatementTimeout = request.StatementTimeoutSeconds is null ? project.StatementTimeout : ValidStatementTimeout(request.StatementTimeoutSeconds),
            CancelIfUnread = request.CancelIfUnreadSeconds switch
            {
                null => project.CancelIfUnread,
                0 => null,
                _ => ValidCancelIfUnread(request.CancelIfUnreadSeconds),
            },
        };
        await projects.UpsertAsync(WithLimits(updated, request), cancellationToken);
        return await GetAsync(user, projectUuid, cancellationToken);
    }

    /// <summary>
    /// Deletes a project (organisation admins): its running queries are cancelled, then its queries,
    /// stored results, exports, saved content and memberships are removed.
    /// </summary>
    public async Task DeleteAsync(CurrentUser user, Guid projectUuid, CancellationToken cancellationToken)
    {
        if (!user.IsAdmin)
        {
            // The same answer as for a project that does not exist: non-admins learn nothing.
            await access.RequireAsync(user, projectUuid, ProjectRole.Admin, cancellationToken);
            throw new ForbiddenException("Only organisation admins delete projects.");
        }

        await projects.GetAsync(projectUuid, cancellationToken);
        await removal.RemoveAsync(projectUuid, token => projects.DeleteAsync(projectUuid, token), cancellationToken);
    }

    // Connects as a query would; the organisation admin asking is told exactly what failed.
    private async Task CheckConnectionAsync(WarehouseConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            await warehouses.CheckAsync(connection, cancellationToken);
        }
        catch (WarehouseQueryException e)
        {
            throw new ValidationException($"The warehouse connection does not work: {e.ConnectionFailureDetail ?? e.Message}");
        }
        catch (ArgumentException e)
        {
            // The driver could not parse the connection string.
            throw new ValidationException($"The connection string is not valid: {e.Message}");
        }
    }

    private static void ValidConnectionString(string connectionString)
    {
        if (connectionString.Length > MaxConnectionStringLength)
        {
            throw new ValidationException($"connectionString is {connectionString.Length} characters long; at most {MaxConnectionStringLength} are accepted.");
        }
    }

    private static bool ValidRequireUserCredentials(bool? require, WarehouseType type) =>
        require == true && type != WarehouseType.Postgres
            ? throw new ValidationException($"requireUserCredentials applies to PostgreSQL warehouses; an embedded {type} database has no logins.")
            : require == true;

    // What only organisation admins change: what the server reaches, whose login runs queries, the project's quotas and cap.
    private static void CheckAdminOnlyChanges(CurrentUser user, UpdateProjectRequest request)
    {
        if (user.IsAdmin)
        {
            return;
        }

        if (request.ConnectionString is not null)
        {
            throw new ForbiddenException("Only organisation admins change a project's connection string.");
        }

        if (request.RequireUserCredentials is not null)
        {
            throw new ForbiddenException("Only organisation admins change whose warehouse login a project's queries run with.");
        }

        if ((request.MaxWarehouseStatements ?? request.MaxSubmissionsPerMinute ?? request.MaxSubmissionsPerMinutePerUser) is not null)
        {
            throw new ForbiddenException("Only organisation admins change a project's quotas and warehouse cap.");
        }
    }

    // The project's quotas and warehouse cap as the request changes them (absent: unchanged; 0: the default).
    private static Project WithLimits(Project project, UpdateProjectRequest request) => project with
    {
        MaxWarehouseStatements = request.MaxWarehouseStatements switch
        {
            null => project.MaxWarehouseStatements,
            0 => null,
            { } cap => ValidWarehouseCap(cap),
        },
        MaxSubmissionsPerMinute = request.MaxSubmissionsPerMinute switch
        {
            null => project.MaxSubmissionsPerMinute,
            0 => null,
            { } limit => ValidSubmissionLimit(limit, "maxSubmissionsPerMinute"),
        },
        MaxSubmissionsPerMinutePerUser = request.MaxSubmissionsPerMinutePerUser switch
        {
            null => project.MaxSubmissionsPerMinutePerUser,
            0 => null,
            { } limit => ValidSubmissionLimit(limit, "maxSubmissionsPerMinutePerUser"),
        },
    };

    private static int ValidSubmissionLimit(int limit, string field) => limit is >= 1 and <= 100_000
        ? limit
        : throw new ValidationException($"{field} must be 1 to 100000 (got {limit}).");

    private static int ValidWarehouseCap(int cap) => cap is >= 1 and <= 1000
        ? cap
        : throw new ValidationException($"maxWarehouseStatements must be 1 to 1000 (got {cap}).");

    private static TimeSpan? ValidCancelIfUnread(int? seconds) => seconds switch
    {
        null => null,
        < 1 or > 86_400 => throw new ValidationException($"cancelIfUnreadSeconds must be between 1 and 86400 (got {seconds}); 0 in a PATCH turns it off."),
        _ => TimeSpan.FromSeconds(seconds.Value),
    };

    private static TimeSpan? ValidStatementTimeout(int? seconds) => seconds switch
    {
        null => null,
        < 1 or > MaxStatementTimeoutSeconds => throw new ValidationException($"statementTimeoutSeconds must be between 1 and {MaxStatementTimeoutSeconds} (got {seconds})."),
        _ => TimeSpan.FromSeconds(seconds.Value),
    };

    private static TimeSpan? ValidTtl(int? seconds) => seconds switch
    {
        null => null,
        < MinCacheTtlSeconds => throw new ValidationException($"resultsCacheTtlSeconds must be at least {MinCacheTtlSeconds}."),
        _ => TimeSpan.FromSeconds(seconds.Value),
    };

    /// <summary>The projects the caller can see.</summary>
    public async Task<IReadOnlyList<ProjectResults>> ListAsync(CurrentUser user, CancellationToken cancellationToken) =>
        (await memberships.ProjectsOfAsync(user.UserUuid, user.IsAdmin, cancellationToken))
        .Select(p => new ProjectResults
        {
            ProjectUuid = p.ProjectUuid,
            Name = p.Name,
            WarehouseType = p.WarehouseType,
            Role = user.IsAdmin ? ProjectRole.Admin.ToName() : p.Role!,
        })
        .ToList();

    /// <summary>One project (any member).</summary>
    public async Task<ProjectResults> GetAsync(CurrentUser user, Guid projectUuid, CancellationToken cancellationToken)
    {
        var project = await access.RequireAsync(user, projectUuid, ProjectRole.Viewer, cancellationToken);
        var role = user.IsAdmin ? ProjectRole.Admin : await memberships.FindRoleAsync(projectUuid, user.UserUuid, cancellationToken) ?? ProjectRole.Viewer;
        return new ProjectResults
        {
            ProjectUuid = project.ProjectUuid,
            Name = project.Name,
            WarehouseType = project.Warehouse.Type.ToString().ToLowerInvariant(),
            Role = role.ToName(),
            RequireUserCredentials = project.RequireUserCredentials,
            MaxWarehouseStatements = project.MaxWarehouseStatements,
            MaxSubmissionsPerMinute = project.MaxSubmissionsPerMinute,
            MaxSubmissionsPerMinutePerUser = project.MaxSubmissionsPerMinutePerUser,
        };
    }

    /// <summary>The project's members (project admins).</summary>
    public async Task<IReadOnlyList<ProjectMemberResults>> ListMembersAsync(CurrentUser user, Guid projectUuid, CancellationToken cancellationToken)
    {
        await access.RequireAsync(user, projectUuid, ProjectRole.Admin, cancellationToken);
        return (await memberships.ListAsync(projectUuid, cancellationToken))
            .Select(m => new ProjectMemberResults { UserUuid = m.UserUuid, Email = m.Email, Name = m.Name, Role = m.Role })
            .ToList();
    }

    /// <summary>Adds a user to the project or changes their role (project admins).</summary>
    public async Task<ProjectMemberResults> SetRoleAsync(CurrentUser user, Guid projectUuid, Guid userUuid, SetProjectRoleRequest request, CancellationToken cancellationToken)
    {
        if (!ProjectRoleNames.TryParse(request.Role, out var role))
        {
            throw new ValidationException($"role must be viewer, developer or admin (got \"{request.Role}\").");
        }

        await access.RequireAsync(user, projectUuid, ProjectRole.Admin, cancellationToken);
        var member = await users.GetUserAsync(userUuid, cancellationToken);
        await memberships.SetRoleAsync(projectUuid, userUuid, role, cancellationToken);
        return new ProjectMemberResults { UserUuid = member.UserUuid, Email = member.Email, Name = member.Name, Role = role.ToName() };
    }

    /// <summary>Removes a user from the project (project admins).</summary>
    public async Task RemoveMemberAsync(CurrentUser user, Guid projectUuid, Guid userUuid, CancellationToken cancellationToken)
    {
        await access.RequireAsync(user, projectUuid, ProjectRole.Admin, cancellationToken);
        if (!await memberships.RemoveAsync(projectUuid, userUuid, cancellationToken))
        {
            throw new NotFoundException($"User {userUuid} is not a member of project {projectUuid}.");
        }
    }
}
