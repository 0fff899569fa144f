using Microsoft.Extensions.Options;

namespace Lightdash.Net.Backend.Access;

/// <summary>Ensures the configured first admin (and their token) exist: how a new deployment gets in.</summary>
public sealed class AdminBootstrap(UserStore users, IOptions<AuthOptions> options, ILogger<AdminBootstrap> logger)
{
    /// <summary>Creates the admin and stores the configured token's hash, when configured and missing.</summary>
    public async Task EnsureAsync(CancellationToken cancellationToken)
    {
        var admin = options.Value.BootstrapAdmin;
        if (string.IsNullOrWhiteSpace(admin.Email))
        {
            return;
        }

        var user = await users.EnsureUserAsync(admin.Email.Trim(), "Admin", isAdmin: true, cancellationToken);
        if (!string.IsNullOrWhiteSpace(admin.Token))
        {
            if (!admin.Token.StartsWith(PersonalAccessTokens.Prefix, StringComparison.Ordinal) || admin.Token.Length < PersonalAccessTokens.Prefix.Length + 22)
            {
                throw new InvalidOperationException($"Auth:BootstrapAdmin:Token must be a {PersonalAccessTokens.Prefix}… token of at least 128 random bits.");
            }

            await users.AddTokenAsync(user.UserUuid, PersonalAccessTokens.Hash(admin.Token), PersonalAccessTokens.Hint(admin.Token), "bootstrap (configuration)", null, cancellationToken);
        }

        logger.LogInformation("Admin {Email} ensured", user.Email);
    }

    /// <summary>Creates (if needed) an admin and a new token for them; returns the token, shown this once.</summary>
    public async Task<string> CreateAdminTokenAsync(string email, CancellationToken cancellationToken)
    {
        var user = await users.EnsureUserAsync(email, "Admin", isAdmin: true, cancellationToken);
        var token = PersonalAccessTokens.Generate();
        await users.AddTokenAsync(user.UserUuid, PersonalAccessTokens.Hash(token), PersonalAccessTokens.Hint(token), "created by create-admin-token", null, cancellationToken);
        return token;
    }
}
