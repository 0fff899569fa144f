namespace Lightdash.Net.Backend.Platform;

/// <summary>
/// The names the HTTP surface shares with the capability that authenticates callers (Access): the
/// scheme Swagger UI describes and the policy that admits organisation admins only.
/// </summary>
public static class ApiAuthentication
{
    /// <summary>The authentication scheme of personal access tokens (<c>Authorization: ApiKey …</c>).</summary>
    public const string SchemeName = "ApiKey";

    /// <summary>The authorization policy that admits organisation admins only.</summary>
    public const string AdminsOnlyPolicy = "OrganisationAdmins";
}
