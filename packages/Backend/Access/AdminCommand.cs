using Lightdash.Net.Backend.Platform;

namespace Lightdash.Net.Backend.Access;

/// <summary>The <c>create-admin-token</c> command: migrates the database, ensures an admin, prints a new token for them.</summary>
public static class AdminCommand
{
    /// <summary>Runs the command; returns the process exit code.</summary>
    public static async Task<int> CreateTokenAsync(WebApplication app, string[] args)
    {
        var emailAt = Array.IndexOf(args, "--email");
        if (emailAt < 0 || emailAt + 1 >= args.Length || !args[emailAt + 1].Contains('@', StringComparison.Ordinal))
        {
            await Console.Error.WriteLineAsync("usage: Lightdash.Net.Backend create-admin-token --email <admin email>");
            return 2;
        }

        await app.Services.GetRequiredService<MetadataMigrator>().MigrateAsync(CancellationToken.None);
        var token = await app.Services.GetRequiredService<AdminBootstrap>().CreateAdminTokenAsync(args[emailAt + 1], CancellationToken.None);
        // The only output on standard output, so that scripts can capture it.
        Console.WriteLine(token);
        return 0;
    }
}
