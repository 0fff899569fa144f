using Hangfire.Dashboard;

namespace Lightdash.Net.Backend.Access;

/// <summary>Only organisation admins see the Hangfire dashboard.</summary>
public sealed class HangfireDashboardAccess : IDashboardAuthorizationFilter
{
    /// <inheritdoc />
    public bool Authorize(DashboardContext context)
    {
        var user = context.GetHttpContext().User;
        return user.Identity?.IsAuthenticated == true && CurrentUser.From(user).IsAdmin;
    }
}
