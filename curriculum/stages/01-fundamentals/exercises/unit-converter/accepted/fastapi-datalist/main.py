from conversions import SYMBOLS, UNITS, convert
from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

app = FastAPI(title="Unit converter")
templates = Jinja2Templates(directory="templates")


def form_page(request: Request, kind: str):
    return templates.TemplateResponse(request, "form.html", {"kind": kind, "units": UNITS[kind]})


@app.get("/", response_class=HTMLResponse)
def length_form(request: Request):
    return form_page(request, "length")


@app.get("/weight", response_class=HTMLResponse)
def weight_form(request: Request):
    return form_page(request, "weight")


@app.get("/temperature", response_class=HTMLResponse)
def temperature_form(request: Request):
    return form_page(request, "temperature")


def answer(request: Request, kind: str, entry: float, unit: str, new_unit: str):
    unknown = [u for u in (unit, new_unit) if u not in UNITS[kind]]
    if unknown:
        context = {"kind": kind, "units": UNITS[kind], "error": f"Unknown {kind} unit: {unknown[0]}"}
        return templates.TemplateResponse(request, "form.html", context, status_code=422)
    result = convert(kind, entry, unit, new_unit)
    shown = f"{result:.4f}{SYMBOLS[new_unit]}"
    return templates.TemplateResponse(request, "result.html", {"kind": kind, "result": shown})


@app.post("/length", response_class=HTMLResponse)
def length(request: Request, entry: float = Form(...), unit: str = Form(...), new_unit: str = Form(...)):
    return answer(request, "length", entry, unit, new_unit)


@app.post("/weight", response_class=HTMLResponse)
def weight(request: Request, entry: float = Form(...), unit: str = Form(...), new_unit: str = Form(...)):
    return answer(request, "weight", entry, unit, new_unit)


@app.post("/temperature", response_class=HTMLResponse)
def temperature(request: Request, entry: float = Form(...), unit: str = Form(...), new_unit: str = Form(...)):
    return answer(request, "temperature", entry, unit, new_unit)
