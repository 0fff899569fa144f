using Lightdash.Net.Backend.Platform;
using Lightdash.Net.Warehouses;

namespace Lightdash.Net.Backend.Access;

/// <summary>
/// Each member's own warehouse login for a project: saved once it has logged in (through every check
/// a query's login meets), used for all of that member's statements where the project requires it.
/// </summary>
public sealed class UserCredentialsService(
    ProjectAccess access, UserCredentialStore credentials, WarehouseClientFactory warehouses, ILogger<UserCredentialsService> logger)
{
    private const int MaxUserLength = 63;
    private const int MaxPasswordLength = 1024;

    /// <summary>The caller's saved login (its user name); 404 when they saved none.</summary>
    public async Task<UserCredentialsResults> GetAsync(CurrentUser user, Guid projectUuid, CancellationToken cancellationToken)
    {
        var project = await access.RequireAsync(user, projectUuid, ProjectRole.Viewer, cancellationToken);
        var saved = await credentials.FindAsync(projectUuid, user.UserUuid, cancellationToken)
            ?? throw new NotFoundException($"You have saved no warehouse login for project {projectUuid}.");
        return Results(project, saved.Username, saved.UpdatedAt);
    }

    /// <summary>Tries the login on the project's warehouse, then saves it (any member, for themselves).</summary>
    public async Task<UserCredentialsResults> SaveAsync(CurrentUser user, Guid projectUuid, SaveUserCredentialsRequest request, CancellationToken cancellationToken)
    {
        var project = await access.RequireAsync(user, projectUuid, ProjectRole.Viewer, cancellationToken);
        var username = request.User?.Trim() ?? "";
        var password = request.Password ?? "";
        if (username.Length is 0 or > MaxUserLength || username.Any(char.IsControl))
        {
            throw new ValidationException($"user must be 1 to {MaxUserLength} characters, without control characters.");
        }

        if (password.Length is 0 or > MaxPasswordLength || password.Contains('\0', StringComparison.Ordinal))
        {
            throw new ValidationException($"password must be 1 to {MaxPasswordLength} characters, without NUL.");
        }

        var connection = WarehouseLogins.WithLogin(project.Warehouse, username, password);
        try
        {
            await warehouses.CheckAsync(connection, cancellationToken);
        }
        catch (WarehouseQueryException e)
        {
            // A refused login says no more than that (the server's detail could tell where it is); a
            // privileged one is refused naming why.
            throw new ValidationException(e.ConnectionFailureDetail is not null
                ? "The warehouse did not accept this login: check the user name and password, and that it may connect to the project's database."
                : e.Message);
        }

        await credentials.SaveAsync(projectUuid, user.UserUuid, username, password, cancellationToken);
        logger.LogInformation("User {UserUuid} saved their warehouse login for project {ProjectUuid}", user.UserUuid, projectUuid);
        return Results(project, username, DateTime.UtcNow);
    }

    /// <summary>Deletes the caller's saved login; 404 when they saved none.</summary>
    public async Task DeleteAsync(CurrentUser user, Guid projectUuid, CancellationToken cancellationToken)
    {
        await access.RequireAsync(user, projectUuid, ProjectRole.Viewer, cancellationToken);
        if (!await credentials.DeleteAsync(projectUuid, user.UserUuid, cancellationToken))
        {
            throw new NotFoundException($"You have saved no warehouse login for project {projectUuid}.");
        }
    }

    private static UserCredentialsResults Results(Project project, string username, DateTime updatedAt) => new()
    {
        User = username,
        UpdatedAt = DateTime.SpecifyKind(updatedAt, DateTimeKind.Utc),
        Required = project.RequireUserCredentials,
    };
}
