using Lightdash.Net.Backend.Auth;
using Lightdash.Net.Backend.Contracts;
using Lightdash.Net.Backend.Errors;
using Lightdash.Net.Backend.Models;
using Lightdash.Net.Warehouses;

namespace Lightdash.Net.Backend.Services;

/// <summary>Projects as their members see them, and their membership (project admins).</summary>
public sealed class ProjectService(ProjectAccess access, ProjectModel projects, ProjectMembershipModel memberships, UserModel users)
{
    private const int MinCacheTtlSeconds = 60;

    /// <summary>Creates a project (organisation admins); its creator becomes its admin.</summary>
    /// <remarks>Projects declared in configuration are written again at every start: configuration wins for those.</remarks>
    public async Task<ProjectResults> CreateAsync(CurrentUser user, CreateProjectRequest request, CancellationToken cancellationToken)
    {
        if (!user.IsAdmin)
        {
            throw new ForbiddenException("Only organisation admins create projects.");
        }

        var name = request.Name?.Trim();
        if (string.IsNullOrEmpty(name))
        {
            throw new ValidationException("name is required.");
        }

        if (!Enum.TryParse<WarehouseType>(request.WarehouseType, ignoreCase: true, out var type))
        {
            throw new ValidationException($"warehouseType must be one of {string.Join(", ", Enum.GetNames<WarehouseType>().Select(n => n.ToLowerInvariant()))}.");
        }

        if (string.IsNullOrWhiteSpace(request.ConnectionString))
        {
            throw new ValidationException("connectionString is required.");
        }

        var project = new Project(Guid.NewGuid(), name, new WarehouseConnection(type, request.ConnectionString), ValidTtl(request.ResultsCacheTtlSeconds));
        await projects.UpsertAsync(project, cancellationToken);
        await memberships.SetRoleAsync(project.ProjectUuid, user.UserUuid, ProjectRole.Admin, cancellationToken);
        return await GetAsync(user, project.ProjectUuid, cancellationToken);
    }

    /// <summary>Renames a project, replaces its connection or its cache TTL (project admins).</summary>
    public async Task<ProjectResults> UpdateAsync(CurrentUser user, Guid projectUuid, UpdateProjectRequest request, CancellationToken cancellationToken)
    {
        var project = await access.RequireAsync(user, projectUuid, ProjectRole.Admin, cancellationToken);
        if (request.Name is { } name && string.IsNullOrWhiteSpace(name))
        {
            throw new ValidationException("name cannot be empty.");
        }

        var updated = project with
        {
            Name = request.Name?.Trim() ?? project.Name,
            Warehouse = string.IsNullOrWhiteSpace(request.ConnectionString) ? project.Warehouse : project.Warehouse with { ConnectionString = request.ConnectionString },
            ResultsCacheTtl = request.ResultsCacheTtlSeconds is null ? project.ResultsCacheTtl : ValidTtl(request.ResultsCacheTtlSeconds),
        };
        await projects.UpsertAsync(updated, cancellationToken);
        return await GetAsync(user, projectUuid, cancellationToken);
    }

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
