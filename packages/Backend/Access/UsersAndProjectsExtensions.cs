namespace Lightdash.Net.Backend.Access;

/// <summary>Registers what organisation and project admins manage: users with their tokens, projects with their members.</summary>
public static class UsersAndProjectsExtensions
{
    /// <summary>Adds the user and project services.</summary>
    public static WebApplicationBuilder AddUsersAndProjects(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<UserService>();
        builder.Services.AddSingleton<ProjectService>();
        builder.Services.AddSingleton<UserCredentialStore>();
        builder.Services.AddSingleton<WarehouseLogins>();
        builder.Services.AddSingleton<UserCredentialsService>();
        return builder;
    }
}
