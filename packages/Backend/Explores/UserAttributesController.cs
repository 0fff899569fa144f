using Lightdash.Net.Backend.Access;
using Lightdash.Net.Backend.Platform;
using Microsoft.AspNetCore.Mvc;

namespace Lightdash.Net.Backend.Explores;

/// <summary>The organisation's user attributes (organisation admins only).</summary>
/// <remarks>
/// Model SQL reads the caller's value as <c>${ld.attr.name}</c> (or <c>${lightdash.attributes.name}</c>);
/// <c>required_attributes</c> and <c>any_attributes</c> on models, dimensions and metrics hide them from
/// users whose values do not match; a model's <c>sql_filter</c> usually filters rows by them.
/// </remarks>
[Route("api/v1/org/attributes")]
[ProducesResponseType<ApiErrorResponse>(StatusCodes.Status403Forbidden)]
public sealed class UserAttributesController(UserAttributeService attributes) : AuthenticatedApiController
{
    /// <summary>Every user attribute with each user's value.</summary>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">The attributes.</response>
    [HttpGet]
    [ProducesResponseType<ApiResponse<IReadOnlyList<UserAttributeResults>>>(StatusCodes.Status200OK)]
    public async Task<ApiResponse<IReadOnlyList<UserAttributeResults>>> List(CancellationToken cancellationToken) =>
        ApiResponse.Ok(await attributes.ListAsync(Caller, cancellationToken));

    /// <summary>Create a user attribute, with users' values.</summary>
    /// <param name="request">Its name, description, default and users' values.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">The attribute.</response>
    /// <response code="400">A name, value or user is invalid.</response>
    /// <response code="409">The name is taken.</response>
    [HttpPost]
    [ProducesResponseType<ApiResponse<UserAttributeResults>>(StatusCodes.Status200OK)]
    [ProducesResponseType<ApiErrorResponse>(StatusCodes.Status400BadRequest)]
    [ProducesResponseType<ApiErrorResponse>(StatusCodes.Status409Conflict)]
    public async Task<ApiResponse<UserAttributeResults>> Create([FromBody] SaveUserAttributeRequest request, CancellationToken cancellationToken) =>
        ApiResponse.Ok(await attributes.CreateAsync(Caller, request, cancellationToken));

    /// <summary>Replace a user attribute and all users' values.</summary>
    /// <param name="attributeUuid">The attribute.</param>
    /// <param name="request">Its name, description, default and users' values.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">The attribute.</response>
    /// <response code="400">A name, value or user is invalid.</response>
    /// <response code="404">The attribute does not exist.</response>
    /// <response code="409">The name is taken.</response>
    [HttpPut("{attributeUuid}")]
    [ProducesResponseType<ApiResponse<UserAttributeResults>>(StatusCodes.Status200OK)]
    [ProducesResponseType<ApiErrorResponse>(StatusCodes.Status400BadRequest)]
    [ProducesResponseType<ApiErrorResponse>(StatusCodes.Status404NotFound)]
    [ProducesResponseType<ApiErrorResponse>(StatusCodes.Status409Conflict)]
    public async Task<ApiResponse<UserAttributeResults>> Update(Guid attributeUuid, [FromBody] SaveUserAttributeRequest request, CancellationToken cancellationToken) =>
        ApiResponse.Ok(await attributes.UpdateAsync(Caller, attributeUuid, request, cancellationToken));

    /// <summary>Delete a user attribute and its values.</summary>
    /// <param name="attributeUuid">The attribute.</param>
    /// <param name="cancellationToken">Aborted when the client disconnects.</param>
    /// <response code="200">Deleted.</response>
    /// <response code="404">The attribute does not exist.</response>
    [HttpDelete("{attributeUuid}")]
    [ProducesResponseType<ApiResponse<string>>(StatusCodes.Status200OK)]
    [ProducesResponseType<ApiErrorResponse>(StatusCodes.Status404NotFound)]
    public async Task<ApiResponse<string>> Delete(Guid attributeUuid, CancellationToken cancellationToken)
    {
        await attributes.DeleteAsync(Caller, attributeUuid, cancellationToken);
        return ApiResponse.Ok("deleted");
    }
}
