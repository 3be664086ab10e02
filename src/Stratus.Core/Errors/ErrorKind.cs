namespace Stratus.Core.Errors;

/// <summary>
/// What went wrong, in domain terms. Each host maps a kind to its protocol's status in one place
/// (<c>ProblemMapping</c> in Stratus.ServiceDefaults); nothing below the HTTP edge knows status codes.
/// </summary>
public enum ErrorKind
{
    /// <summary>The request or its content is malformed or breaks a rule.</summary>
    Invalid,

    /// <summary>The caller did not prove who it is.</summary>
    Unauthenticated,

    NotFound,

    /// <summary>The request clashes with the current state (a name taken, a run already going).</summary>
    Conflict,

    /// <summary>A conditional change whose condition (an ETag) no longer holds.</summary>
    PreconditionFailed,

    /// <summary>The content is larger than the configured limit.</summary>
    TooLarge,

    /// <summary>The content is of a type this operation does not take.</summary>
    UnsupportedContent,

    /// <summary>Too much work is queued; the caller should retry after a while.</summary>
    RateLimited,

    /// <summary>A dependency (storage, the GPU tier, a model that failed to load) cannot serve now; retry later.</summary>
    Unavailable,

    /// <summary>A dependency answered, but not usefully (it refused this app, or no token could be had for it).</summary>
    DependencyFailed,
}
