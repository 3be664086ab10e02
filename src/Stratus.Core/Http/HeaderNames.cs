namespace Stratus.Core.Http;

/// <summary>HTTP header and query names Stratus reads or writes.</summary>
public static class StratusHeaders
{
    /// <summary>Correlates a prediction with later feedback and logs; echoed on every response.</summary>
    public const string RequestId = "x-request-id";

    /// <summary>The Functions host's key header (and <see cref="FunctionKeyQuery"/> as the query alternative).</summary>
    public const string FunctionKey = "x-functions-key";

    public const string FunctionKeyQuery = "code";

    /// <summary>
    /// The Open Inference Protocol's binary tensor extension (as Triton defines it): the body is this many bytes of
    /// JSON, then the raw bytes of the inputs that declare <c>parameters.binary_data_size</c>, in order.
    /// </summary>
    public const string InferenceHeaderContentLength = "Inference-Header-Content-Length";

    /// <summary>Who the caller is for experiments (a user, a session, an account): the unit a variant is assigned to.</summary>
    public const string Unit = "x-stratus-unit";

    /// <summary>On a response: the experiment variant that served it.</summary>
    public const string Variant = "x-stratus-variant";
}
