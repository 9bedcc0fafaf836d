import { configureStore } from '@reduxjs/toolkit';
import { setupListeners } from '@reduxjs/toolkit/query';
import { shellSlice } from '../features/shell/shellSlice';
import { api } from './api';
import { sessionExpiry } from './sessionExpiry';

export const store = configureStore({
  reducer: {
    [api.reducerPath]: api.reducer,
    [shellSlice.name]: shellSlice.reducer,
  },
  middleware: (getDefaultMiddleware) =>
    getDefaultMiddleware().prepend(sessionExpiry.middleware).concat(api.middleware),
});

setupListeners(store.dispatch);

export type RootState = ReturnType<typeof store.getState>;
export type AppDispatch = typeof store.dispatch;
