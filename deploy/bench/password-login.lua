-- POST /oidc/oauth2/token, grant_type=password, for <ARCA_BENCH_LOGIN>
wrk.method = "POST"
wrk.path = "/oidc/oauth2/token"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = "grant_type=password&username=" .. os.getenv("ARCA_BENCH_LOGIN") .. "&password=" .. os.getenv("ARCA_BENCH_PASSWORD")
