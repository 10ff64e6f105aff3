"""The reference server of `npm run bench` (scoring-service/src/bench/reference.ts): what a team
would write with FastAPI and XGBoost's own pred_contribs. POST /score takes the body the scoring
service takes ({"records": [{"id", "inputs"}], "explain": {"top": k} or {"all": true}}) and
answers each record's probability and its k largest contributions. One XGBoost thread per worker
process; uvicorn runs the workers. The model file comes from REFERENCE_MODEL."""
import os

import numpy as np
import xgboost as xgb
from fastapi import FastAPI, Request

booster = xgb.Booster(model_file=os.environ["REFERENCE_MODEL"])
booster.set_param({"nthread": 1})
columns = booster.feature_names
app = FastAPI()


@app.get("/health")
def health():
    return {"ok": True}


@app.post("/score")
async def score(request: Request):
    body = await request.json()
    records = body["records"]
    top = (body.get("explain") or {}).get("top")
    x = np.array([[np.nan if r["inputs"].get(c) is None else float(r["inputs"][c]) for c in columns] for r in records],
                 dtype=np.float32)
    data = xgb.DMatrix(x, missing=np.nan, feature_names=columns, nthread=1)
    probabilities = booster.predict(data)
    contribs = booster.predict(data, pred_contribs=True)
    results = []
    for i, record in enumerate(records):
        values = contribs[i, :-1]
        order = np.argsort(-np.abs(values))
        if top:
            order = order[:top]
        results.append({"id": record["id"], "score": float(probabilities[i]),
                        "reasons": [{"input": columns[j], "contribution": float(values[j])} for j in order]})
    return {"results": results}
