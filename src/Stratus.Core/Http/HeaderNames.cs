namespace Stratus.Core.Http;

/// <summary>HTTP header and query names Stratus reads or writes.</summary>
public static class StratusHeaders
{
    /// <summary>Correlates a prediction with later feedback and logs; echoed on every response.</summary>
    public const string RequestId = "x-request-id";

    /// <summary>The Functions host's key header (and <see cref="FunctionKeyQuery"/> as the query alternative).</summary>
    public const string FunctionKey = "x-functions-key";

    public const string FunctionKeyQuery = "code";
}
